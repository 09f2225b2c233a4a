import { useEffect, useState } from 'preact/hooks';

// Whether the browser thinks it has a network. The SDK keeps messages in its outbox while offline and
// sends them when the connection is back; this lets the screen say so instead of looking stuck.

export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine !== false);
  useEffect(() => {
    const on = () => setOnline(navigator.onLine !== false);
    window.addEventListener('online', on);
    window.addEventListener('offline', on);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', on);
    };
  }, []);
  return online;
}
