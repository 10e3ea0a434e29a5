/**
 * The target of a run that sends load (in this process or over workers): opened before the
 * drive — the storage check (--clickhouse-url), the target itself (--host, or the embedded
 * server), the reachability and key checks, whether it is mlop-sim's reference server, the DLQ
 * at the start — and audited after it: delivery (SDK counts, and the reference server's stored
 * rows), ClickHouse storage, the DLQ at the end.
 */
import type { Dispatcher } from 'undici';
import { sdkProject, usesSdk, type ScenarioDefinition } from '../load/scenario.js';
import type { DeliveryAudit, DlqHealth, RunAudit, SimulationResult, StorageAudit } from '../metrics/result.js';
import type { SdkRun } from '../load/sdk-session.js';
import { auditRuns } from './judging/audit.js';
import type { EmbeddedTarget } from './embedded-target.js';
import type { Plan } from './plan.js';
import { preflight } from './preflight.js';
import { openRunStorage, type StorageCheck } from './storage/storage-check.js';
import { displayUrl, TargetControl } from './target-control.js';
import { openTarget } from './target-session.js';

export interface LiveTargetOptions {
  /** A --workers coordinator checked the target already: skip the checks and the DLQ reads. */
  checked: boolean;
  /** Audit storage here (a worker leaves it to its coordinator). */
  auditStorage: boolean;
}

/** What the drive reports for the audits. */
export interface DeliveredRuns {
  runs: readonly RunAudit[];
  /** This process's SDK runs, when they ran here: the ClickHouse audit uses the rows they acked. */
  sdkRuns?: readonly SdkRun[];
}

export interface LiveTarget {
  readonly ingestUrl: string;
  readonly apiUrl: string;
  readonly key: string;
  readonly embedded?: EmbeddedTarget;
  readonly isReference: boolean;
  readonly storage?: StorageCheck;
  readonly control: TargetControl;
  /** The SDK project of the scenario's runs. */
  readonly project: string;
  /** The target as the result reports it (URLs without credentials). */
  resultTarget(): SimulationResult['target'];
  /** Delivery and storage audits and the DLQ at the end. */
  finish(driven: DeliveredRuns, signal: AbortSignal, log: (line: string) => void): Promise<{ audit?: DeliveryAudit; storage?: StorageAudit; dlq: { start?: DlqHealth; end?: DlqHealth } }>;
  close(): Promise<void>;
}

export async function openLiveTarget(plan: Plan, scenario: ScenarioDefinition, log: (line: string) => void, o: LiveTargetOptions): Promise<LiveTarget> {
  const control = new TargetControl();
  let storage: StorageCheck | undefined;
  let embedded: EmbeddedTarget | undefined;
  let preflightDispatcher: Dispatcher | undefined;
  const close = async (): Promise<void> => {
    await preflightDispatcher?.destroy().catch(() => undefined);
    await control.close();
    await storage?.close();
    if (embedded) await embedded.stop();
  };
  try {
    const project = sdkProject(scenario);
    const withSdk = usesSdk(scenario);
    storage = await openRunStorage(plan.clickhouse, scenario, !plan.host, log);
    const opened = await openTarget(plan, log);
    embedded = opened.embedded;
    const { ingestUrl, apiUrl, key } = opened;
    if (!o.checked) {
      if (withSdk) {
        const { Agent } = await import('undici');
        preflightDispatcher = new Agent({ connections: 4 });
      }
      await preflight(control, { ingestUrl, apiUrl, key, shutdownTimeoutS: plan.shutdownTimeoutS, dispatcher: preflightDispatcher }, project, withSdk);
    }
    const isReference = o.checked ? false : await control.isReferenceServer(ingestUrl);
    const dlqStart = o.checked ? undefined : await control.readDlq(ingestUrl);
    const storageCheck = storage;
    return {
      ingestUrl, apiUrl, key, embedded, isReference, storage, control, project,
      resultTarget: () => ({ ingestUrl: displayUrl(ingestUrl), apiUrl: displayUrl(apiUrl), embedded: embedded !== undefined }),
      async finish(driven, signal, log) {
        const audit = driven.runs.length > 0 ? await auditRuns(driven.runs, project, control, ingestUrl, isReference && o.auditStorage) : undefined;
        let storageAudit: StorageAudit | undefined;
        if (storageCheck && driven.runs.length > 0 && o.auditStorage) {
          log(`counting stored rows in ClickHouse once the flush window has passed (at most ${plan.clickhouse!.settleTimeoutS} s)`);
          storageAudit = driven.sdkRuns ? await storageCheck.audit(driven.sdkRuns, signal) : await storageCheck.auditDeliveries(driven.runs, signal);
        }
        const dlqEnd = o.checked ? undefined : await control.readDlq(ingestUrl);
        return { audit, storage: storageAudit, dlq: { start: dlqStart, end: dlqEnd } };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
