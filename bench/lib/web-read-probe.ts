/**
 * What the live page's reads of the statistics cost while samples keep arriving (bench/RESULTS.md
 * web-cost): a recorder fed the http scenario's shape at 10,000 requests/s (three routes and the
 * two iteration entries, 10 ms slices, on a hand-driven clock) for --seconds, with — every
 * simulated second — what an update reads: every entry's summary (the tables) and the last 3 s
 * of Aggregated's and every entry's history (the charts); or without reads. Prints the CPU of
 * both and their difference per simulated second. `--dir` runs another checkout's src/ (to
 * compare before and after a change); run it pinned (taskset -c 1) and alternate.
 *
 * Usage: taskset -c 1 node --import tsx bench/lib/web-read-probe.ts [--dir PATH] [--seconds 40]
 */
import path from 'node:path';

const argAt = (f: string): string | undefined => { const i = process.argv.indexOf(f); return i > 0 ? process.argv[i + 1] : undefined; };
const dir = path.resolve(argAt('--dir') ?? path.join(import.meta.dirname, '../..'));
const SECONDS = Number(argAt('--seconds') ?? 40);

/** A fixed pseudo-random number in [0, 1) for each i (mulberry32's output step). */
function scrambled(i: number): number {
  let t = (i + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

async function cpuMs(reads: boolean): Promise<number> {
  const { Recorder } = await import(`${dir}/src/metrics/recorder.ts`);
  const clock = { ms: 1_700_000_000_000 };
  const rec = new Recorder({ now: () => clock.ms });
  const routes = ['/ingest/metrics', '/ingest/logs', '/ingest/data'];
  let i = 0, sink = 0;
  const run = (seconds: number): void => {
    for (let slice = 0; slice < seconds * 100; slice++) {
      for (let k = 0; k < 100; k++, i++) {
        // Distinct values in no order, as measured latencies are: 0.3–2.3 ms.
        const ms = 0.3 + 2 * scrambled(i);
        rec.record('POST', routes[i % 3], ms, i % 500 !== 0, 200);
        rec.record('ITERATION', 'actual', ms, true);
        rec.record('ITERATION', 'corrected', ms, true);
      }
      clock.ms += 10;
      if (reads && slice % 100 === 50) {
        const from = Math.floor(clock.ms / 1000) - 3;
        sink += rec.summaries(seconds).length;
        // recentHistory since the update carries chart points only; before that, history from a second on.
        const recent = (label: string, select: unknown): number => (rec.recentHistory ? rec.recentHistory(select, from) : rec.history(label, select, from)).length;
        sink += recent('Aggregated', (n: string) => n.startsWith('POST'));
        for (const n of rec.names()) sink += recent(n, [n]);
      }
    }
  };
  run(5);
  const c = process.cpuUsage();
  run(SECONDS);
  const d = process.cpuUsage(c);
  if (sink < 0) throw new Error('unreachable');
  return (d.user + d.system) / 1000;
}

const plain = await cpuMs(false);
const read = await cpuMs(true);
process.stdout.write(JSON.stringify({ dir, seconds: SECONDS, recordingMs: Math.round(plain), withReadsMs: Math.round(read), readsMsPerS: +((read - plain) / SECONDS).toFixed(2) }) + '\n');
