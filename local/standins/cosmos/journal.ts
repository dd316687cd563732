/**
 * The stand-in's append-only journal: one JSON line per group commit, each an array of mutation records.
 *
 * Requests record mutations as they happen (in memory), then wait for `durable()` before answering: the records
 * waiting at that moment are written as one line and fdatasync'd, together with those of any request that came
 * meanwhile (group commit). So whatever a client was told survives a SIGKILL, or a power cut, just after.
 * A crash can only tear the last line; it is ignored on load, and the file is rewritten as a snapshot at start.
 */
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { readFileIfExists, writeFileDurably } from '../durable-file';
import type { MutationRecord, MutationSink } from './mutations';
import { CorruptJournalError } from './replay';

export class JournalFailedError extends Error {
  override name = 'JournalFailedError';
}

/** The records in `file` (none if it doesn't exist), without a torn last line. */
export function readJournal(file: string): MutationRecord[] {
  const text = readFileIfExists(file);
  if (text === undefined) return [];
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  const records: MutationRecord[] = [];
  lines.forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (index === lines.length - 1) return; // torn by a crash mid-write: its request was never answered
      throw new CorruptJournalError(`${file}: line ${index + 1} is not valid JSON`);
    }
    if (!Array.isArray(parsed))
      throw new CorruptJournalError(`${file}: line ${index + 1} is not a record list`);
    records.push(...(parsed as MutationRecord[]));
  });
  return records;
}

/** Replaces `file` with `records`, atomically (see writeFileDurably). */
export function writeSnapshot(file: string, records: Iterable<MutationRecord>): void {
  writeFileDurably(file, snapshotLines(records));
}

/** One line per record, handed out a thousand at a time so a large account is never one string in memory. */
function* snapshotLines(records: Iterable<MutationRecord>): Iterable<string> {
  let chunk: string[] = [];
  for (const record of records) {
    chunk.push(`[${JSON.stringify(record)}]\n`);
    if (chunk.length >= 1000) {
      yield chunk.join('');
      chunk = [];
    }
  }
  yield chunk.join('');
}

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Journal implements MutationSink {
  private pending: string[] = [];
  private appended = 0;
  private synced = 0;
  private waiters: Waiter[] = [];
  private flushing = false;
  private failure: JournalFailedError | undefined;

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(file: string): Promise<Journal> {
    mkdirSync(path.dirname(file), { recursive: true });
    return new Journal(file, await open(file, 'a'));
  }

  /** Called from inside the package's write path: never throws (a failure surfaces in `durable()`). */
  record(mutation: MutationRecord): void {
    this.pending.push(JSON.stringify(mutation));
    this.appended++;
  }

  /** Resolves once every record made so far is on disk; rejects for good once a write has failed. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.synced >= this.appended) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push({ upTo: this.appended, resolve, reject });
    });
    void this.flush();
    return done;
  }

  /** Whether a write failed: memory is then ahead of the disk, and nothing more may be acknowledged. */
  get failed(): JournalFailedError | undefined {
    return this.failure;
  }

  async close(): Promise<void> {
    try {
      await this.durable();
    } finally {
      await this.handle.close();
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const lines = this.pending;
        const upTo = this.appended;
        this.pending = [];
        await this.handle.appendFile(`[${lines.join(',')}]\n`);
        await this.handle.datasync();
        this.synced = upTo;
        this.settle((w) => w.upTo <= upTo && (w.resolve(), true));
      }
    } catch (error) {
      this.failure = new JournalFailedError(`writing ${this.file} failed: ${String(error)}`, {
        cause: error,
      });
      this.settle((w) => (w.reject(this.failure as Error), true));
    } finally {
      this.flushing = false;
    }
  }

  private settle(done: (waiter: Waiter) => boolean): void {
    this.waiters = this.waiters.filter((waiter) => !done(waiter));
  }
}
