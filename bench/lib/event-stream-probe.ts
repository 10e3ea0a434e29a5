/**
 * What writing the live page's update to its event streams costs the process that writes it
 * (bench/RESULTS.md "The event stream written once"): `--clients` streams open on a server in
 * this process (pinned to core 1; the readers are a child process on core 0), and once a second
 * for --seconds the same update of --kb KB sent to every stream. Two ways, alternated --runs
 * times each: `broadcast`, the live page's WebServer (output/web/server.ts: the event framed once
 * as an HTTP/1.1 chunk, written to each socket), and `res.write`, a node:http server writing the
 * event to each response (the live page before 496ddff). `idle` opens the streams and sends
 * nothing: the floor both stand on. Each run of a way is a fresh process pinned to core 1, so its
 * first seconds pay for compiling the write path as a page's first seconds do in the generator;
 * the first half of its seconds and the second half are reported apart. Prints each way's CPU ms
 * per second (median of its runs; and above idle's) and the bytes the readers got, the same for both.
 *
 * Usage: node --import tsx bench/lib/event-stream-probe.ts [--runs 4] [--seconds 20] [--clients 50] [--kb 11]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebServer } from '../../src/output/web/server.js';
import { numberArg } from './args.js';
import { spread } from './proc.js';

const RUNS = numberArg('--runs', 4);
const SECONDS = numberArg('--seconds', 20);
const CLIENTS = numberArg('--clients', 50);
const KB = numberArg('--kb', 11);
const GREETING = 'event: update\ndata: {}\n\n';
const json = JSON.stringify({ main: 'x'.repeat(KB * 1024) });

type Way = 'broadcast' | 'res.write' | 'idle';
interface Server { url: string; send(): void; clients(): number; close(): Promise<void> }

async function liveServer(way: Way): Promise<Server> {
  const s = new WebServer({ host: '127.0.0.1', port: 0 }, { page: () => '', download: () => undefined, control: () => ({}), greeting: () => GREETING });
  await s.listen();
  return { url: `${s.url}events`, send: () => { if (way === 'broadcast') s.broadcast('update', json); }, clients: () => s.clientCount, close: () => s.close() };
}

/** The live page's server as it wrote before 496ddff: res.write of the frame to each response. */
async function resWriteServer(): Promise<Server> {
  const clients = new Set<ServerResponse>();
  const s = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    res.write(GREETING);
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/events`,
    send: () => {
      const frame = Buffer.from(`event: update\ndata: ${json}\n\n`);
      for (const res of clients) res.write(frame);
    },
    clients: () => clients.size,
    close: async () => {
      for (const res of clients) res.end();
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

/** One run of a way, in this process: the CPU ms per second of the first half of its seconds and of the second, and the bytes its readers got. */
async function run(way: Way): Promise<{ firstHalf: number; secondHalf: number; bytes: number }> {
  const server = way === 'res.write' ? await resWriteServer() : await liveServer(way);
  const reader = spawn('taskset', ['-c', '0', process.execPath, '-e', `
    let n = 0;
    for (let i = 0; i < ${CLIENTS}; i++) require('node:http').get(${JSON.stringify(server.url)}, (r) => r.on('data', (d) => { n += d.length; }));
    process.on('SIGTERM', () => { process.stdout.write(String(n)); process.exit(0); });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  reader.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  while (server.clients() < CLIENTS) await sleep(50);
  await sleep(1000);
  const half = Math.floor(SECONDS / 2);
  const cpu: number[] = [];
  for (let s = 0; s < SECONDS; s++) {
    if (s === 0 || s === half) cpu.push(cpuMs());
    server.send();
    await sleep(1000);
  }
  cpu.push(cpuMs());
  const exited = new Promise((resolve) => reader.once('exit', resolve));
  reader.kill('SIGTERM');
  await exited;
  await server.close();
  return { firstHalf: (cpu[1]! - cpu[0]!) / half, secondHalf: (cpu[2]! - cpu[1]!) / (SECONDS - half), bytes: Number(out) };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const median = (xs: number[]): number => spread(xs).median;
const ways: Way[] = ['idle', 'broadcast', 'res.write'];
const child = process.argv.indexOf('--child');
if (child >= 0) {
  process.stdout.write(JSON.stringify(await run(process.argv[child + 1] as Way)) + '\n');
} else {
  // Each run of a way is a fresh process (its write path compiled from nothing, as a page's first
  // seconds), alternated; its first half of seconds and its second are reported apart.
  const results = new Map<Way, { first: number[]; second: number[]; bytes: number[] }>(ways.map((w) => [w, { first: [], second: [], bytes: [] }]));
  for (let r = 0; r < RUNS; r++) {
    for (const way of r % 2 === 0 ? ways : [...ways].reverse()) {
      const args = ['-c', '1', process.execPath, '--import', 'tsx', import.meta.filename, '--child', way, '--seconds', String(SECONDS), '--clients', String(CLIENTS), '--kb', String(KB)];
      const done = spawnSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const one = JSON.parse(done.stdout.trim().split('\n').pop()!) as { firstHalf: number; secondHalf: number; bytes: number };
      const rec = results.get(way)!;
      rec.first.push(one.firstHalf);
      rec.second.push(one.secondHalf);
      rec.bytes.push(one.bytes);
      process.stderr.write(`run ${r + 1} ${way}: ${one.firstHalf.toFixed(2)} then ${one.secondHalf.toFixed(2)} ms/s, ${one.bytes} bytes read\n`);
    }
  }
  const idle = results.get('idle')!;
  const fig = (xs: number[], floor: number[]): { msPerS: number; aboveIdle: number } =>
    ({ msPerS: Number(median(xs).toFixed(2)), aboveIdle: Number((median(xs) - median(floor)).toFixed(2)) });
  process.stdout.write(JSON.stringify({
    clients: CLIENTS, kb: KB, seconds: SECONDS, runs: RUNS,
    ...Object.fromEntries(ways.map((w) => {
      const rec = results.get(w)!;
      return [w, { firstHalf: fig(rec.first, idle.first), secondHalf: fig(rec.second, idle.second), bytes: [...new Set(rec.bytes)] }];
    })),
  }) + '\n');
}
