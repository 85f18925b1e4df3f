// Worker thread: a keep-alive HTTP load generator on loopback, so the client does not share the server's event loop.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, headers, concurrency, maxRequests, maxMillis } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);

function request() {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let sent = 0;
let failed = 0;
const started = performance.now();
const deadline = started + maxMillis;
async function client() {
  while (sent < maxRequests && performance.now() < deadline) {
    sent += 1;
    if ((await request()) !== 200) failed += 1;
  }
}
await Promise.all(Array.from({ length: concurrency }, client));
const elapsedMs = performance.now() - started;
agent.destroy();
parentPort.postMessage({ requests: sent, failed, elapsedMs });
