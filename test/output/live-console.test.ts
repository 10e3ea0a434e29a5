import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveConsole, type LiveSample } from '../../src/output/index.js';

class Collect extends Writable {
  text = '';
  columns?: number;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

function sampler(): () => LiveSample {
  let n = 0;
  return () => {
    n++;
    return { elapsedS: 2 * n, users: 5 * n, rps: 40.25 * n, p50Ms: 1.234, p95Ms: 812.4, failures: n - 1, failRate: (n - 1) / 200, judged: 'e2e log→ack' };
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LiveConsole', () => {
  it('prints a plain line every 2 s when the output is not a TTY', () => {
    vi.useFakeTimers();
    const out = new Collect();
    const live = new LiveConsole(out, { tty: false });
    live.start(sampler());
    vi.advanceTimersByTime(1999);
    expect(out.text).toBe('');
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(4000);
    live.stop();
    vi.advanceTimersByTime(10_000); // nothing after stop()
    const lines = out.text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1)).toEqual([
      '[    2s] users 5 | 40.3 req/s | e2e log→ack p50 1.23 ms p95 812 ms | errors 0 (0.00 %)',
      '[    4s] users 10 | 80.5 req/s | e2e log→ack p50 1.23 ms p95 812 ms | errors 1 (0.50 %)',
      '[    6s] users 15 | 120.8 req/s | e2e log→ack p50 1.23 ms p95 812 ms | errors 2 (1.00 %)',
    ]);
    expect(out.text).not.toContain('\r');
  });

  it('rewrites one line in place on a TTY, cut to the terminal width, and ends it on stop()', () => {
    vi.useFakeTimers();
    const out = new Collect();
    out.columns = 40;
    const live = new LiveConsole(out, { tty: true, intervalMs: 500 });
    live.start(sampler());
    vi.advanceTimersByTime(1500);
    live.stop();
    const writes = out.text.split('\r\x1b[2K');
    expect(writes[0]).toBe('');
    expect(writes).toHaveLength(4);
    for (const w of writes.slice(1, -1)) {
      expect(w).not.toContain('\n');
      expect(Array.from(w).length).toBe(39);
    }
    expect(writes.at(-1)!.endsWith('\n')).toBe(true);
    expect(writes[3]).toMatch(/^\[\s+6s\] users 15 \| 120\.8 req\/s/);
  });

  it('shows minutes once a run passes 60 s', () => {
    vi.useFakeTimers();
    const out = new Collect();
    const live = new LiveConsole(out, { tty: false, intervalMs: 100 });
    live.start(() => ({ elapsedS: 125.7, users: 50, rps: 0, p50Ms: 0, p95Ms: 0, failures: 0, failRate: 0, judged: 'Aggregated' }));
    vi.advanceTimersByTime(100);
    live.stop();
    expect(out.text.startsWith('[ 2m05s] users 50 | 0.0 req/s | Aggregated p50 0.000 ms')).toBe(true);
  });
});
