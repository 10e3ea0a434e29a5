/**
 * What an executor drives: a user's steps. A VirtualUser is one; a duet user (duet-user.ts) is
 * two of them, one per target, taking turns.
 */
import type { SdkRun } from './sdk-session.js';

export interface LoadUser {
  /** 1-based index of the user in the whole plan. */
  readonly index: number;
  readonly stopping: boolean;
  /** The user's SDK run once it exists (for the delivery audit). */
  readonly run: SdkRun | undefined;
  /** Its SDK run (login + init) if the scenario has one, then onStart; false when either failed. */
  start(): Promise<boolean>;
  /** One task; never throws; false when the task threw. */
  iterate(): Promise<boolean>;
  /** The wait between tasks, cut short by requestStop(). */
  think(): Promise<void> | undefined;
  /** onStop and the SDK run's finish; never throws. */
  stop(): Promise<void>;
  /** Stop after the current task. */
  requestStop(): void;
}
