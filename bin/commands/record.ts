/** `mlop-sim record --upstream URL [--port P] --out FILE`: the recording proxy until Ctrl+C. */
import type { Argv } from 'yargs';
import { parsePort, startRecording, tuneRecorderProcess } from '../../src/index.js';
import { exit, lastValue, out } from './terminal.js';

interface RecordArgs {
  upstream: string;
  port: string;
  host: string;
  out: string;
  'max-body'?: number;
}

export function recordBuilder(y: Argv): Argv {
  const single = { coerce: lastValue } as const;
  return y
    .option('upstream', { ...single, type: 'string', demandOption: true, describe: 'where requests go, e.g. http://127.0.0.1:3003 (the ingest or the API)' })
    .option('port', { ...single, type: 'string', default: '4318', describe: 'port to listen on (0 = any free port)' })
    .option('host', { ...single, type: 'string', default: '127.0.0.1', describe: 'address to bind' })
    .option('out', { ...single, type: 'string', demandOption: true, describe: 'trace file to write (JSON lines, docs/workloads.md)' })
    .option('max-body', { ...single, type: 'number', describe: 'request bodies above this many bytes are traced by size only', defaultDescription: '8388608' });
}

export async function recordCommand(a: RecordArgs): Promise<void> {
  tuneRecorderProcess(); // this process is the recorder: its V8 flags (src/capture/record-warmup.ts)
  const proxy = await startRecording({ upstream: a.upstream, port: parsePort(a.port), host: a.host, out: a.out, maxBodyBytes: a['max-body'] });
  out(`mlop-sim recording proxy on ${proxy.url} → ${new URL(a.upstream).origin}, trace to ${a.out}\n`);
  out('Point the job\'s SDK at it (docs/workloads.md "Pointing the SDK at the recorder"). Press Ctrl+C to stop.\n');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const s = await proxy.stop();
    out(`mlop-sim: recorded ${s.exchanges} request(s) to ${a.out}`);
    out(s.dropped ? `; ${s.dropped} trace line(s) (${s.droppedBytes} bytes) dropped because the disk fell behind\n` : '; none dropped\n');
    exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
