/**
 * The machine's floor for the timing-fidelity benchmark: a Node process that does nothing but
 * watch its own event loop (perf_hooks monitorEventLoopDelay, 1 ms resolution), pinned to the
 * generator's core while a generator runs. Whatever lateness it sees — wake-up latency of the
 * (virtual) CPU, other processes taking the core — the generator sees too, without having caused it.
 *
 * Usage: node bench/lib/idle-probe.mjs <skip ms> <window ms>; after skip + window it prints one
 * JSON line {count, p50, p99, p999, max} (ms above the 1 ms period, as generator-probe.mjs) and exits.
 * Plain JS so the probe itself needs no compilation.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const [skipMs, windowMs] = process.argv.slice(2).map(Number);
const RESOLUTION_MS = 1;
const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
setTimeout(() => {
  h.enable();
  setTimeout(() => {
    h.disable();
    const above = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    process.stdout.write(JSON.stringify({ count: h.count, p50: above(h.percentile(50)), p99: above(h.percentile(99)), p999: above(h.percentile(99.9)), max: above(h.max) }) + '\n');
  }, windowMs);
}, skipMs);
