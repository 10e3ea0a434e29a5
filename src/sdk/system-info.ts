import os from 'node:os';

let cached: Record<string, unknown> | undefined;

/**
 * `systemMetadata` of the create body (docs/protocol/sdk.md §3.3), built once per process. The
 * process's command line goes to the server as pluto sends it, except that `apiKey` is replaced
 * by `[redacted]` wherever it appears in an argument: a host that took the key on its command line
 * (`mlop-sim --key K`) must not store it in every run's metadata.
 */
export function systemMetadata(apiKey?: string): Record<string, unknown> {
  cached ??= build();
  if (!apiKey || !process.argv.some((a) => a.includes(apiKey))) return cached;
  const cmdline = process.argv.map((a) => a.split(apiKey).join('[redacted]'));
  return { ...cached, process: { ...(cached.process as object), cmdline } };
}

function build(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    process: { cmdline: process.argv, exe: process.execPath, pid: process.pid },
    platform: {
      system: os.type(), node: os.hostname(), release: os.release(), version: os.version(),
      machine: os.machine(), processor: '',
    },
    timezone: [Intl.DateTimeFormat().resolvedOptions().timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone],
    cpu: { physical: cpus.length, virtual: cpus.length, freq: { min: 0.0, max: cpus[0]?.speed ?? 0 } },
    memory: { virt: os.totalmem(), swap: 0 },
    boot_time: Math.round(Date.now() / 1000 - os.uptime()),
    requirements: [`node==${process.versions.node}`, 'undici==7', '@mlop/sdk-ts==0.1.0'],
    os_info: {
      hostname: os.hostname(),
      os: { name: os.type(), version: os.release() },
      kernel: os.release(),
      node: { version: process.versions.node, executable: process.execPath },
    },
    cuda: {},
  };
}
