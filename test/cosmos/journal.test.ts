/** The journal on its own: group commit, torn last line, and fail-stop once a write has failed. */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, JournalFailedError, readJournal } from '../../local/standins/cosmos/journal';
import type { MutationRecord } from '../../local/standins/cosmos/mutations';
import { CorruptJournalError } from '../../local/standins/cosmos/replay';
import { tempJournal } from './cosmos-helpers';

const removals: (() => void)[] = [];
afterEach(() => removals.splice(0).forEach((remove) => remove()));

function journalFile(): string {
  const journal = tempJournal();
  removals.push(journal.remove);
  return journal.journalFile;
}

const record = (rid: string): MutationRecord => ({ op: 'delete', at: { kind: 'databases' }, rid });

describe('journal', () => {
  it('writes the records of requests waiting together as one line, in order', async () => {
    const file = journalFile();
    const journal = await Journal.open(file);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      journal.record(record(`r${i}`));
      waits.push(journal.durable());
    }
    await Promise.all(waits);
    await journal.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThan(50);
    expect(readJournal(file)).toEqual(Array.from({ length: 50 }, (_, i) => record(`r${i}`)));
  });

  it('reads nothing from a missing file, skips a torn last line and refuses damage before it', () => {
    const file = journalFile();
    expect(readJournal(file)).toEqual([]);
    writeFileSync(file, `${JSON.stringify([record('a')])}\n${JSON.stringify([record('b')]).slice(0, 20)}`);
    expect(readJournal(file)).toEqual([record('a')]);
    writeFileSync(file, `[{"op":\n${JSON.stringify([record('b')])}\n`);
    expect(() => readJournal(file)).toThrow(CorruptJournalError);
  });

  it('stops acknowledging anything once a write has failed', async () => {
    const journal = await Journal.open(journalFile());
    // Pull the file out from under it, as a full or failing disk would.
    await (journal as unknown as { handle: { close(): Promise<void> } }).handle.close();
    journal.record(record('lost'));
    await expect(journal.durable()).rejects.toBeInstanceOf(JournalFailedError);
    expect(journal.failed).toBeInstanceOf(JournalFailedError);
    await expect(journal.durable()).rejects.toBeInstanceOf(JournalFailedError);
  });
});
