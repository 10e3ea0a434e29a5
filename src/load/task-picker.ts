/** Chooses a scenario's tasks by weight (Locust's @task(weight)) with a user's random source. */
import type { RandomSource } from '../core/random.js';
import type { TaskDefinition } from './scenario.js';

/** Chooses tasks by weight with a user's random source. */
export class TaskPicker {
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(private readonly tasks: readonly TaskDefinition[]) {
    let sum = 0;
    this.cumulative = tasks.map((t) => (sum += t.weight));
    this.total = sum;
  }

  pick(random: RandomSource): TaskDefinition {
    const x = random.next() * this.total;
    for (let i = 0; i < this.cumulative.length; i++) if (x < this.cumulative[i]) return this.tasks[i];
    return this.tasks[this.tasks.length - 1];
  }
}
