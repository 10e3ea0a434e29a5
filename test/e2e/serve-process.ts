/** Starts the real `mlop-sim serve` as a child process (for tests that need one shared target). */
import { spawn } from 'node:child_process';
import { CLI, cleanEnv, ROOT } from './cli-process.js';

/** Starts `mlop-sim serve …` and resolves with its URL once it printed `ready`. */
export function startServe(args: string[], env = cleanEnv(), ready = 'API key:') {
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const closed = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${out}`)), 20_000);
    server.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // On loopback: `listening on http://127.0.0.1:P`; bound to 0.0.0.0: `… (every interface; from this machine: http://127.0.0.1:P)`.
      const m = /(?:listening on|from this machine:) (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes(ready)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { server, closed, url, output: () => out };
}

