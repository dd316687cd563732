/**
 * The stand-in's mailbox on disk: every accepted message and every failed send operation, so messages outlive
 * restarts and crashes. Two files:
 *
 * - the snapshot, `file` (`{ version: 1, messages, failed }`), replaced whole (temporary file, fsync, rename,
 *   fsync the folder) only at start;
 * - the journal, `file` + `.journal`: one JSON line per change since (`{"add": message}`, `{"failed": operation}`
 *   or `{"clear": true}`), appended and fdatasync'd. A change waits for an append holding its line; lines of
 *   changes made while an append is in flight are written together by the next one (group commit). So a change
 *   costs one short append, not a rewrite of the whole mailbox.
 *
 * At start the journal is replayed onto the snapshot, which is then rewritten and the journal emptied. A crash
 * can only tear the journal's last line, whose change was never acknowledged: it is dropped. Replaying a journal
 * onto a snapshot that already holds it (a crash between the two steps) changes nothing: adds are by id.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GroupCommit, replaceFileDurably, syncFolderAsync } from '../durable-file';

export interface StoredMessage {
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string;
  text: string;
  receivedDateTime: string;
}

/** A send the service accepted and then failed (all recipients suppressed); nothing reached the mailbox. */
export interface FailedOperation {
  id: string;
  error: { code: string; message: string };
}

interface DataFile {
  version: 1;
  messages: StoredMessage[];
  failed: FailedOperation[];
}

type JournalLine = { add: StoredMessage } | { failed: FailedOperation } | { clear: true };

const OWNER = 'Mail stand-in';

export class MessageStore {
  private messageById = new Map<string, StoredMessage>();
  private failedById = new Map<string, FailedOperation>();
  /** Journal lines not yet handed to an append. */
  private pending: string[] = [];
  private readonly appends: GroupCommit<string>;
  /** Set once an append failed: the journal may end in half a line, so nothing more may be acknowledged. */
  private broken: Error | undefined;

  private constructor(
    private readonly file: string,
    private readonly data: DataFile,
  ) {
    for (const m of data.messages) this.messageById.set(m.id, m);
    for (const f of data.failed) this.failedById.set(f.id, f);
    this.appends = new GroupCommit(
      () => {
        const lines = this.pending.join('');
        this.pending = [];
        return lines;
      },
      (lines) => this.append(lines),
    );
  }

  static async open(file: string): Promise<MessageStore> {
    await mkdir(path.dirname(file), { recursive: true });
    const saved = await readJson(file);
    // Refuse a file we don't understand rather than start empty and overwrite it.
    if (
      saved !== undefined &&
      (saved.version !== 1 || !Array.isArray(saved.messages) || !Array.isArray(saved.failed))
    )
      throw new Error(`${OWNER}: ${file} is not a mailbox file this version can read`);
    const store = new MessageStore(
      file,
      (saved as DataFile | undefined) ?? { version: 1, messages: [], failed: [] },
    );
    const journal = journalFile(file);
    const text = await readText(journal);
    if (text === undefined || text === '') {
      if (text === undefined) await createEmpty(journal);
      return store;
    }
    for (const line of journalLines(text, journal)) store.apply(line);
    // Compact: the snapshot takes in the journal, then the journal starts over (also dropping a torn line).
    await replaceFileDurably(file, JSON.stringify(store.data));
    await createEmpty(journal);
    return store;
  }

  /** Newest first; `to` matches To, Cc or Bcc, ignoring case. */
  list(to?: string): StoredMessage[] {
    const wanted = to?.trim().toLowerCase();
    const all = [...this.data.messages].reverse();
    if (!wanted) return all;
    return all.filter((m) => [...m.to, ...m.cc, ...m.bcc].some((a) => a.toLowerCase() === wanted));
  }

  get(id: string): StoredMessage | undefined {
    return this.messageById.get(id);
  }

  getFailed(id: string): FailedOperation | undefined {
    return this.failedById.get(id);
  }

  has(id: string): boolean {
    return this.messageById.has(id) || this.failedById.has(id);
  }

  /** Adds the message (readers see it at once); resolves once it is on disk. */
  add(message: StoredMessage): Promise<void> {
    return this.change({ add: message });
  }

  addFailed(operation: FailedOperation): Promise<void> {
    return this.change({ failed: operation });
  }

  clear(): Promise<void> {
    return this.change({ clear: true });
  }

  /** Resolves (never rejects) once every change made so far is on disk, or its append failed. */
  flushed(): Promise<void> {
    return this.appends.settled();
  }

  /** How many appends the journal has had since start: fewer than changes when they were grouped. */
  get appendCount(): number {
    return this.appends.writeCount;
  }

  private change(line: JournalLine): Promise<void> {
    this.apply(line);
    this.pending.push(`${JSON.stringify(line)}\n`);
    return this.appends.request();
  }

  private apply(line: JournalLine): void {
    if ('add' in line) {
      if (this.has(line.add.id)) return;
      this.data.messages.push(line.add);
      this.messageById.set(line.add.id, line.add);
    } else if ('failed' in line) {
      if (this.has(line.failed.id)) return;
      this.data.failed.push(line.failed);
      this.failedById.set(line.failed.id, line.failed);
    } else {
      this.data.messages = [];
      this.data.failed = [];
      this.messageById.clear();
      this.failedById.clear();
    }
  }

  private async append(lines: string): Promise<void> {
    if (this.broken) throw this.broken;
    try {
      const handle = await open(journalFile(this.file), 'a');
      try {
        await handle.writeFile(lines);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      this.broken = new Error(`${OWNER}: cannot append to ${journalFile(this.file)}: ${String(err)}`, {
        cause: err,
      });
      throw this.broken;
    }
  }
}

function journalFile(file: string): string {
  return `${file}.journal`;
}

/** The journal's changes in order; a last line without its newline was torn by a crash and is left out. */
function journalLines(text: string, file: string): JournalLine[] {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: '' or a torn line
  return lines.map((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (!isJournalLine(parsed))
      throw new Error(`${OWNER}: ${file}: line ${index + 1} is not a mailbox change`);
    return parsed;
  });
}

function isJournalLine(value: unknown): value is JournalLine {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  const hasId = (x: unknown): boolean =>
    !!x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string';
  return hasId(v.add) || hasId(v.failed) || v.clear === true;
}

/** An empty `file` (truncated if it exists), on disk for good. */
async function createEmpty(file: string): Promise<void> {
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncFolderAsync(path.dirname(file));
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${OWNER}: cannot read ${file}: ${String(err)}`, { cause: err });
  }
}

async function readJson(file: string): Promise<Partial<DataFile> | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Partial<DataFile>;
  } catch (err) {
    throw new Error(`${OWNER}: cannot read ${file}: ${String(err)}`, { cause: err });
  }
}
