// A child process that holds idle WebSocket streams for the streams benchmark, so the sockets count
// against its own fd limit, not the bench process's. Driven over IPC:
//   parent → {type: 'open', urls, localAddress, concurrency, timeoutMs}
//   child  → {type: 'opened', opened, failed, firstError}
// A stream counts as open when its first frame (`ready`) arrives. The sockets are then held, idle, until
// the parent goes away or stops the child.
import WebSocket from 'ws';

const sockets = [];

function open(url, localAddress, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no ready frame in time'));
    }, timeoutMs);
    ws.once('message', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`closed before ready: ${code}`));
    });
  });
}

process.on('message', async (m) => {
  if (m.type !== 'open') return;
  let next = 0;
  let failed = 0;
  let firstError;
  const worker = async () => {
    while (next < m.urls.length) {
      const url = m.urls[next++];
      try {
        sockets.push(await open(url, m.localAddress, m.timeoutMs));
      } catch (e) {
        failed++;
        firstError ??= e.message;
      }
    }
  };
  await Promise.all(Array.from({ length: m.concurrency }, worker));
  process.send({ type: 'opened', opened: sockets.length, failed, firstError });
});

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
