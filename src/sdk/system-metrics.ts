import os from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';

/**
 * System metrics (docs/protocol/sdk.md §10.1) from Node's os/process. One sampler per process:
 * every run asks for a sample each interval, and the machine is read at most once per
 * interval however many runs ask.
 */
export interface SystemSample {
  names: string[];
  values: number[];
}

interface Raw {
  at: number;
  cpuTimes: { busy: number; total: number }[];
  netSent: number;
  netRecv: number;
}

/** Names registered at start, in the real SDK's order (real-sdk-traces/main.jsonl seq 4). */
export function systemMetricNames(): string[] {
  const cpu = os.cpus().map((_, i) => `sys/cpu.percentage.${i}`);
  return [
    ...cpu, 'sys/memory.used', 'sys/memory.active', 'sys/disk.used',
    'sys/network.bytes_sent', 'sys/network.bytes_recv', 'sys/network.bytes_sent.rate', 'sys/network.bytes_recv.rate',
    ...HEALTH_NAMES,
  ];
}

/** The sync health keys (§8.3), sent as one step-0 metrics line every 60 s. */
export const HEALTH_NAMES = [
  'sys/pluto.pending', 'sys/pluto.in_progress', 'sys/pluto.completed', 'sys/pluto.failed',
  'sys/pluto.total_rows', 'sys/pluto.lag_s', 'sys/pluto.wal_size_kb', 'sys/pluto.db_size_kb',
  'sys/pluto.write_count', 'sys/pluto.write_avg_ms', 'sys/pluto.write_max_ms', 'sys/pluto.retries',
  'sys/pluto.retry_failures',
];

function readNet(): { sent: number; recv: number } {
  try {
    let sent = 0;
    let recv = 0;
    for (const line of readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
      const cols = line.trim().split(/[:\s]+/);
      if (cols.length < 10) continue;
      recv += Number(cols[1]) || 0;
      sent += Number(cols[9]) || 0;
    }
    return { sent, recv };
  } catch {
    return { sent: 0, recv: 0 };
  }
}

function readCpu(): { busy: number; total: number }[] {
  return os.cpus().map((c) => {
    const t = c.times;
    const total = t.user + t.nice + t.sys + t.idle + t.irq;
    return { busy: total - t.idle, total };
  });
}

function diskUsed(): number {
  try {
    const st = statfsSync('/');
    return (st.blocks - st.bfree) * st.bsize;
  } catch {
    return 0;
  }
}

let last: Raw | undefined;
let cached: { at: number; sample: SystemSample } | undefined;

/**
 * A sample taken less than `intervalMs` before `now` (shared by all runs). `now` is the caller's
 * tick time, so a run ticking every `intervalMs` always gets a newer sample than its last one.
 */
export function sampleSystem(intervalMs: number, now: number): SystemSample {
  if (cached && now - cached.at < intervalMs) return cached.sample;
  const cpuTimes = readCpu();
  const net = readNet();
  const mem = process.memoryUsage();
  const names: string[] = [];
  const values: number[] = [];
  cpuTimes.forEach((c, i) => {
    const prev = last?.cpuTimes[i];
    const busy = prev ? c.busy - prev.busy : c.busy;
    const total = prev ? c.total - prev.total : c.total;
    names.push(`sys/cpu.percentage.${i}`);
    values.push(total > 0 ? Math.round((1000 * busy) / total) / 10 : 0);
  });
  names.push('sys/memory.used', 'sys/memory.active', 'sys/disk.used', 'sys/network.bytes_sent', 'sys/network.bytes_recv');
  values.push(mem.rss, mem.heapUsed, diskUsed(), net.sent, net.recv);
  if (last) {
    // Rates need two samples; the first sample has none (real-sdk-traces/main.jsonl seq 8).
    const dt = (now - last.at) / 1000;
    if (dt > 0) {
      names.push('sys/network.bytes_sent.rate', 'sys/network.bytes_recv.rate');
      values.push((net.sent - last.netSent) / dt, (net.recv - last.netRecv) / dt);
    }
  }
  last = { at: now, cpuTimes, netSent: net.sent, netRecv: net.recv };
  cached = { at: now, sample: { names, values } };
  return cached.sample;
}
