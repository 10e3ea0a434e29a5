/**
 * Checks before any user starts: the target answers, and it accepts the API key on the ingest
 * and (for SDK scenarios) on the SDK's login. A failure is one sentence and exit 3.
 */
import { SimTargetError } from '../core/errors.js';
import type { SdkTarget } from '../load/sdk-session.js';
import { loadSdkSession } from '../load/virtual-user.js';
import { displayUrl, type TargetControl } from './target-control.js';

export async function preflight(control: TargetControl, target: SdkTarget, project: string, usesSdk: boolean): Promise<void> {
  await control.assertReachable(target.ingestUrl);
  if (usesSdk && target.apiUrl !== target.ingestUrl) await control.assertReachable(target.apiUrl);
  await control.assertIngestKeyAccepted(target.ingestUrl, target.key, project);
  // The accepted key also opens the control routes of a reference server bound off loopback.
  control.authorize(target.key);
  if (!usesSdk) return;
  let accepted: boolean;
  const { sdkKeyAccepted } = await loadSdkSession();
  try {
    accepted = await sdkKeyAccepted(target);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SimTargetError(`login at ${displayUrl(target.apiUrl)} failed (${msg.split(target.key).join('***').replace(/\.$/, '')}).`);
  }
  if (!accepted) throw new SimTargetError(`${displayUrl(target.apiUrl)} rejected the API key (login answered 401).`);
}
