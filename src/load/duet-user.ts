/**
 * Duet runs (Bulej et al., "Duet Benchmarking", ICPE 2020; docs/cli.md "Duet runs"): the same
 * users drive two targets at the same moments, A (the baseline side) and B (the candidate), so
 * the machine's noise hits both alike. Which side a piece of load goes to is decided here, in a
 * randomised balanced order:
 * - a task user (http, stress, files without an SDK run) is a DuetUser: one VirtualUser per side,
 *   taking turns iteration by iteration in the order ABBA or BAAB (drawn per user), so each side
 *   gets half of every user's iterations, evenly spread in time;
 * - an SDK training run cannot be split: users (and under an arrival rate, successive runs) are
 *   paired by index, and a draw per pair sends one to A and the other to B.
 */
import { createRandom } from '../core/random.js';
import type { LoadUser } from './load-user.js';
import type { SdkRun } from './sdk-session.js';

export type DuetSide = 'a' | 'b';

/** Salt of the duet's draws: independent of the users' own random streams for the same seed. */
const DUET_SALT = 0x6475_6574; // "duet"

/** The side of plan-wide user (or arrival) `index` (1-based): pairs (1,2), (3,4), … split by one draw each. */
export function sideOfIndex(seed: number, index: number): DuetSide {
  const pair = Math.floor((index - 1) / 2);
  const first: DuetSide = createRandom((seed ^ DUET_SALT) + pair * 0x9e37_79b9).next() < 0.5 ? 'a' : 'b';
  const second: DuetSide = first === 'a' ? 'b' : 'a';
  return (index - 1) % 2 === 0 ? first : second;
}

/** One task user of a duet: its A and B users take turns, ABBA or BAAB. */
export class DuetUser implements LoadUser {
  private turn = 0;
  private readonly order: readonly DuetSide[];
  /** The side of the last iteration (the sink attributes its timing there). */
  lastSide: DuetSide;

  constructor(private readonly a: LoadUser, private readonly b: LoadUser, seed: number) {
    const first = sideOfIndex(seed, a.index * 2 - 1);
    const second: DuetSide = first === 'a' ? 'b' : 'a';
    this.order = [first, second, second, first];
    this.lastSide = first;
  }

  get index(): number {
    return this.a.index;
  }

  get stopping(): boolean {
    return this.a.stopping || this.b.stopping;
  }

  get run(): SdkRun | undefined {
    return undefined;
  }

  /** Both sides' users of this one, for the audit and the stats. */
  sides(): Record<DuetSide, LoadUser> {
    return { a: this.a, b: this.b };
  }

  async start(): Promise<boolean> {
    const [a, b] = await Promise.all([this.a.start(), this.b.start()]);
    return a && b;
  }

  iterate(): Promise<boolean> {
    this.lastSide = this.order[this.turn++ % 4];
    return this.user(this.lastSide).iterate();
  }

  think(): Promise<void> | undefined {
    return this.user(this.lastSide).think();
  }

  async stop(): Promise<void> {
    await Promise.all([this.a.stop(), this.b.stop()]);
  }

  requestStop(): void {
    this.a.requestStop();
    this.b.requestStop();
  }

  private user(side: DuetSide): LoadUser {
    return side === 'a' ? this.a : this.b;
  }
}
