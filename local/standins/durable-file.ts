/**
 * The stand-ins' state files on disk. A file is replaced whole: written to a temporary file beside it, fsync'd,
 * renamed over it and the folder fsync'd, so a crash (SIGKILL or power cut) at any instant leaves either the old
 * or the new content, never half of one, and once the write returns the new content stays.
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
