// The idle-streams floor: a bare `ws` WebSocketServer on node:http, no framework, no auth, no state. Each
// connection gets one `ready` frame (as Parley's streams do) and is then left alone, so RSS per socket is
// what the ws library and the kernel buffers cost. /healthz answers 200 so the harness can wait for it.
//
// Env: PORT.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' || req.url === '/readyz' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('error', () => undefined);
  socket.send('{"type":"ready","cursors":{}}');
});

const stop = () => {
  for (const s of wss.clients) s.terminate();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(Number(process.env.PORT || 0), '127.0.0.1');
