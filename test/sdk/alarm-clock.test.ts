/** The one process-wide timer that drives every run (src/sdk/sync/alarm-clock.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { Alarm, alarmsSet, setAlarm, setAlarmRef } from '../../src/sdk/sync/alarm-clock.js';

const made: Alarm[] = [];
function alarm(fire: () => void): Alarm {
  const a = new Alarm(fire);
  made.push(a);
  return a;
}
afterEach(() => {
  for (const a of made.splice(0)) setAlarm(a, Infinity);
});

describe('alarm clock', () => {
  it('fires alarms in time order, each once, and moves or clears an alarm that is set again', async () => {
    const fired: string[] = [];
    const t0 = performance.now();
    const a = alarm(() => fired.push('a'));
    const b = alarm(() => fired.push('b'));
    const c = alarm(() => fired.push('c'));
    const d = alarm(() => fired.push('d'));
    setAlarm(a, t0 + 60);
    setAlarm(b, t0 + 20);
    setAlarm(c, t0 + 40);
    setAlarm(d, t0 + 30);
    setAlarm(c, t0 + 10); // moved earlier
    setAlarm(d, Infinity); // cleared
    expect(alarmsSet()).toBe(3);
    await new Promise((r) => setTimeout(r, 120));
    expect(fired).toEqual(['c', 'b', 'a']);
    expect(alarmsSet()).toBe(0);
  });

  it('lets a firing alarm set itself again (a run re-arming from its tick)', async () => {
    let n = 0;
    const a: Alarm = alarm(() => {
      if (++n < 3) setAlarm(a, performance.now() + 5);
    });
    setAlarm(a, performance.now() + 5);
    await new Promise((r) => setTimeout(r, 80));
    expect(n).toBe(3);
  });

  it('keeps the process alive only while a ref\'d alarm is set', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = (ref: boolean): string => `
      import { Alarm, setAlarm, setAlarmRef } from ${JSON.stringify(new URL('../../src/sdk/sync/alarm-clock.ts', import.meta.url).pathname)};
      const a = new Alarm(() => console.log('fired'));
      setAlarmRef(a, ${ref});
      setAlarm(a, performance.now() + 300);`;
    const run = (ref: boolean) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(ref)], { encoding: 'utf8' });
    expect(run(true).stdout).toBe('fired\n');
    expect(run(false).stdout).toBe(''); // unref'd: the process exits before the alarm
    setAlarmRef(alarm(() => undefined), false);
  });
});
