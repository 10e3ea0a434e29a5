/**
 * The reference server in a worker thread, so its CPU does not distort the load generator's
 * timings. Works from the build (worker.js) and from TypeScript sources under tsx or vitest.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ServerStartError, type ServerStartProblem } from './listen.js';
import type { ReferenceServerOptions } from './options.js';

export interface WorkerServerOptions extends Omit<ReferenceServerOptions, 'log'> {
  /** Print the server's log lines to stderr. */
  verbose?: boolean;
}

export interface WorkerServer {
  url: string;
  port: number;
  key: string;
  stop(): Promise<void>;
}

type WorkerMessage =
  | { type: 'ready'; url: string; port: number; key: string }
  | { type: 'error'; message: string; problem?: ServerStartProblem }
  | { type: 'stopped' };

/** The ESM build of tsx's API (`tsx/esm/api`, import condition). */
function tsxEsmApi(): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}

export function startReferenceServerInWorker(opts: WorkerServerOptions = {}): Promise<WorkerServer> {
  const { verbose = false, ...options } = opts;
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './worker.ts' : './worker.js', import.meta.url);
  // From sources the worker needs tsx. Node 20 does not apply `--import tsx` hooks to a
  // worker's entry module, so a tiny CommonJS bootstrap registers tsx, then imports the entry.
  const worker = fromSources
    ? new Worker(
        `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })` +
          `.catch((e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });`,
        { eval: true, workerData: { options, verbose } },
      )
    : new Worker(entry, { workerData: { options, verbose } });

  return new Promise<WorkerServer>((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`The reference server worker exited (code ${code}) before it was ready.`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (message: WorkerMessage) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      if (message.type === 'error') {
        void worker.terminate();
        reject(message.problem ? new ServerStartError(message.message, message.problem) : new Error(message.message));
        return;
      }
      if (message.type !== 'ready') return;
      let stopping: Promise<void> | null = null;
      resolve({
        url: message.url,
        port: message.port,
        key: message.key,
        stop: () => {
          stopping ??= new Promise<void>((done) => {
            const timer = setTimeout(() => void worker.terminate().then(() => done()), 5000);
            worker.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            worker.postMessage({ type: 'stop' });
          });
          return stopping;
        },
      });
    });
  });
}
