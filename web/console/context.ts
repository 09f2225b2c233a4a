import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Agent, AgentClient } from '../../sdk/src/index.js';

// What every console screen needs: the SDK client, the agent who is logged in, and a way to log out.

export interface ConsoleState {
  client: AgentClient;
  me: Agent;
  setMe(a: Agent): void;
  logout(): void;
}

export const Console = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  const c = useContext(Console);
  if (!c) throw new Error('useConsole outside <Console.Provider>');
  return c;
}
