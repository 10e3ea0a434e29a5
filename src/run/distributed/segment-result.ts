/**
 * What one segment of a plan sends back, from a worker process over IPC or from a shard in its
 * file: the recorder's snapshot (counters, digests, errors, per-second series, users), the SDK's
 * delivery counts per run, and when its load ran. Plain JSON.
 */
import type { RecorderSnapshot } from '../../metrics/recorder.js';
import type { DeliveryAudit, GeneratorHealth, RunAudit, StorageAudit, VisibilitySummary } from '../../metrics/result.js';
import type { Segment } from '../../executor/segment.js';

export interface SegmentResult {
  segment: Segment;
  /** Epoch ms when this segment's load started. */
  startedAtMs: number;
  /** Seconds from the start to the end of the shutdown. */
  durationS: number;
  interrupted: boolean;
  stats: RecorderSnapshot;
  /** Per SDK run: logged, acked, failed, pending (and stored/lost when `storageChecked`). */
  runs: RunAudit[];
  /** True when the runs' stored rows were already read (a shard audits its own runs). */
  storageChecked: boolean;
  /**
   * The storage state of its audit: `checked`, `unreadable` (the reference server's storage could
   * not be read: a failure) or `acked-only`. Files written before it existed have storageChecked only.
   */
  storage?: DeliveryAudit['storage'];
  /** Why the storage could not be read, when `unreadable`. */
  storageProblem?: string;
  /** Its time-to-visible probe (--clickhouse-url); the samples themselves are in its stats. */
  visibility?: VisibilitySummary;
  /** Its runs' audit in ClickHouse (--clickhouse-url; a shard audits its own runs). */
  clickhouse?: StorageAudit;
  /** Its generator's health (a --workers worker asked to watch it: generatorHealth true). */
  generator?: GeneratorHealth;
}
