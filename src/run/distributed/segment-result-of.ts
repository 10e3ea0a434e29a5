/** A finished single-process run's SegmentResult: its recorder's snapshot and its result's runs. */
import type { Segment } from '../../executor/segment.js';
import type { Recorder } from '../../metrics/recorder.js';
import type { SimulationResult } from '../../metrics/result.js';
import type { SegmentResult } from './segment-result.js';

export function segmentResultOf(segment: Segment, recorder: Recorder | undefined, result: SimulationResult): SegmentResult {
  return {
    segment,
    startedAtMs: Date.parse(result.startedAt),
    durationS: result.durationS,
    interrupted: result.interrupted,
    stats: recorder?.snapshot() ?? { version: 1, entries: [], users: [] },
    runs: result.audit?.runs ?? [],
    storageChecked: result.audit?.storageChecked ?? false,
    ...(result.audit ? { storage: result.audit.storage } : {}),
    ...(result.audit?.storageProblem ? { storageProblem: result.audit.storageProblem } : {}),
    ...(result.visibility ? { visibility: result.visibility } : {}),
    ...(result.storage ? { clickhouse: result.storage } : {}),
    ...(result.generator ? { generator: result.generator } : {}),
  };
}
