import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { CustomerClient, type ConnectionState, type Contact } from '../../sdk/src/index.js';
import { friendlyError } from './errors.js';

// The customer's connection to Parley: one CustomerClient, created on demand. The SDK keeps the session
// token, cursors, history and outbox in localStorage, so a reload (or a lost network) resumes where the
// customer was instead of starting a new anonymous session.

export interface ClientSettings {
  baseUrl: string;
  identityToken?: string | undefined;
  /** Namespace of the SDK's keys in localStorage. */
  storageKey?: string | undefined;
}

export interface ClientState {
  client: CustomerClient | null;
  /** `idle` until connect() is called (the widget waits for a stored session or the first open). */
  state: 'idle' | 'connecting' | 'ready' | 'error';
  connection: ConnectionState;
  contact: Contact | null;
  error: string | null;
  connect(): void;
  setContact(c: Contact): void;
}

/** localStorage may throw (Safari private mode, sandboxed iframes, blocked third-party storage). */
export function safeStorage(): Storage | undefined {
  try {
    const s = window.localStorage;
    const probe = '__parley_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return undefined;
  }
}

/** True when this browser already holds a Parley customer session under `key` (the SDK stores it as
 * "<key>:customer:session"), so connecting resumes it instead of creating a new one. */
export function hasStoredSession(key: string): boolean {
  return Boolean(safeStorage()?.getItem(`${key}:customer:session`));
}

export function useCustomerClient(settings: ClientSettings): ClientState {
  const [client, setClient] = useState<CustomerClient | null>(null);
  const [state, setState] = useState<ClientState['state']>('idle');
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<string | null>(null);
  const starting = useRef(false);

  const connect = useCallback(() => {
    if (starting.current) return;
    starting.current = true;
    setState('connecting');
    setError(null);
    const storage = safeStorage();
    CustomerClient.connect({
      baseUrl: settings.baseUrl,
      ...(storage ? { storage } : {}),
      ...(settings.storageKey ? { storageKey: settings.storageKey } : {}),
      ...(settings.identityToken ? { identityToken: settings.identityToken } : {}),
    }).then(
      (c) => {
        setClient(c);
        setContact(c.contact);
        setConnection(c.connectionState);
        setState('ready');
      },
      (e: unknown) => {
        // Let the customer try again (the retry button calls connect()).
        starting.current = false;
        setError(friendlyError(e));
        setState('error');
      },
    );
  }, [settings.baseUrl, settings.identityToken, settings.storageKey]);

  useEffect(() => {
    if (!client) return;
    const offs = [
      client.on('connection', setConnection),
      client.on('session', (s) => setContact(s.contact)),
    ];
    return () => offs.forEach((off) => off());
  }, [client]);

  useEffect(() => () => client?.close(), [client]);

  return { client, state, connection, contact, error, connect, setContact };
}
