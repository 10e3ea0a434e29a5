/** Worker-thread entry: runs a reference server and stops it on request (see in-worker.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { ReferenceServerOptions } from './options.js';
import { ServerStartError } from './listen.js';
import { startReferenceServer } from './reference-server.js';

interface WorkerInput {
  options: Omit<ReferenceServerOptions, 'log'>;
  verbose: boolean;
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run inside a worker thread');
const input = workerData as WorkerInput;

try {
  const server = await startReferenceServer({
    ...input.options,
    log: input.verbose ? (line) => process.stderr.write(`[mlop-sim server] ${line}\n`) : undefined,
  });
  port.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    void server.stop().then(() => {
      port.postMessage({ type: 'stopped' });
      port.close();
    });
  });
  port.postMessage({ type: 'ready', url: server.url, port: server.port, key: server.key });
} catch (err) {
  port.postMessage({
    type: 'error',
    message: err instanceof Error ? err.message : String(err),
    problem: err instanceof ServerStartError ? err.problem : undefined,
  });
  port.close();
}
