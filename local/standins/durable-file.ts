/**
 * The stand-ins' state files on disk. A file is replaced whole: written to a temporary file beside it, fsync'd,
 * renamed over it and the folder fsync'd, so a crash (SIGKILL or power cut) at any instant leaves either the old
 * or the new content, never half of one, and once the write returns the new content stays.
 *
 * `writeFileDurably` does so synchronously (for start-up); `replaceFileDurably` asynchronously, for the request
 * path, where `GroupCommit` lets one write cover every change made while the previous one was in flight.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Replaces `file` (creating its folder if need be) with `content`, written piece by piece if given in pieces. */
export function writeFileDurably(file: string, content: string | Iterable<string>): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      for (const piece of typeof content === 'string' ? [content] : content) writeSync(fd, piece);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncFolder(dir);
}

/**
 * `writeFileDurably` without blocking the event loop: resolves once `content` is in `file` for good. The folder
 * must exist.
 */
export async function replaceFileDurably(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncFolderAsync(path.dirname(file));
}

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. Each change calls `request()` and waits on what it returns before answering. One write runs at
 * a time: it begins (after the current synchronous code, so a burst of changes joins it) by calling `capture()`,
 * which synchronously takes what is to be written (the whole state, or the journal lines pending), then awaits
 * `write(captured)`. Changes requested while it is in flight wait for the next write, which covers them all.
 * A request's promise settles when the first write captured after it has ended: resolved if that write
 * succeeded, rejected with its error otherwise.
 */
export class GroupCommit<T> {
  private requested = 0;
  private covered = 0;
  private running = false;
  private waiters: Waiter[] = [];
  private writes = 0;

  constructor(
    private readonly capture: () => T,
    private readonly write: (captured: T) => Promise<void>,
  ) {}

  /** Settles once a write holding every change made before this call has ended (see the class). */
  request(): Promise<void> {
    const upTo = ++this.requested;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
    if (!this.running) {
      this.running = true;
      queueMicrotask(() => void this.drain());
    }
    return done;
  }

  /** Resolves (never rejects) once every write requested so far has ended, well or not. */
  async settled(): Promise<void> {
    if (this.covered >= this.requested) return;
    await new Promise<void>((resolve) =>
      this.waiters.push({ upTo: this.requested, resolve, reject: () => resolve() }),
    );
  }

  /** How many writes were started: fewer than requests when changes were grouped. */
  get writeCount(): number {
    return this.writes;
  }

  private async drain(): Promise<void> {
    while (this.covered < this.requested) {
      const upTo = this.requested;
      let failure: { error: unknown } | undefined;
      try {
        this.writes++;
        await this.write(this.capture());
      } catch (error) {
        failure = { error };
      }
      this.covered = upTo;
      const done = this.waiters.filter((w) => w.upTo <= upTo);
      this.waiters = this.waiters.filter((w) => w.upTo > upTo);
      for (const w of done) {
        if (failure) w.reject(failure.error);
        else w.resolve();
      }
    }
    this.running = false;
  }
}

/** The text of `file`, or `undefined` when there is no such file. */
export function readFileIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * `file` parsed as JSON, or `undefined` when there is no such file; a file that can't be read or isn't JSON is
 * an error naming it (`owner` says whose file it is, e.g. `Graph stand-in`).
 */
export function readJsonIfExists(file: string, owner: string): unknown {
  try {
    const text = readFileIfExists(file);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch (err) {
    throw new Error(`${owner}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** Makes a change to the entries of `dir` (a rename, a new file) durable, without blocking the event loop. */
export async function syncFolderAsync(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (err) {
    if (process.platform === 'win32') return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (process.platform !== 'win32') throw err;
  } finally {
    await handle.close();
  }
}

/** Makes a rename in `dir` durable (it matters for a power cut, not a SIGKILL). */
function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (err) {
    if (process.platform === 'win32') return; // Windows can't open a folder; the rename is still atomic there.
    throw err;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    if (process.platform !== 'win32') throw err; // nor fsync one
  } finally {
    closeSync(fd);
  }
}
