/**
 * The results history as a JSON-lines file: one record per line, appended (docs/history.md).
 * A line that is not a record makes the whole file "not a history": one sentence naming the
 * line, exit 2, and nothing is appended to it.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SimUsageError } from '../core/errors.js';
import { recordProblem, type HistoryRecord } from './record.js';
import type { HistoryStore } from './store.js';

export const DEFAULT_HISTORY_FILE = 'reports/history.jsonl';

export class JsonLinesStore implements HistoryStore {
  constructor(readonly file: string) {}

  get description(): string {
    return this.file;
  }

  /** Every record, in file order; a missing file is an empty history. */
  async read(): Promise<HistoryRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT') return [];
      if (code === 'EISDIR') throw new SimUsageError(`the history store ${this.file} is a folder, not a file.`);
      throw new SimUsageError(`cannot read the history store ${this.file} (${code ?? String(err)}).`);
    }
    const records: HistoryRecord[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new SimUsageError(`${this.file} is not a history store: line ${i + 1} is not JSON.`);
      }
      const problem = recordProblem(parsed);
      if (problem) throw new SimUsageError(`${this.file} is not a history store: line ${i + 1} is not a history record (${problem}).`);
      records.push(parsed as HistoryRecord);
    }
    return records;
  }

  /** Appends one record (after checking the file is a history, so a wrong file is never written to). */
  async append(record: HistoryRecord): Promise<void> {
    await this.read();
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, JSON.stringify(record) + '\n', 'utf8');
    } catch (err) {
      throw new SimUsageError(`cannot write the history store ${this.file} (${(err as { code?: string }).code ?? String(err)}).`);
    }
  }

  async close(): Promise<void> {}
}
