/**
 * One stand-in per journal: two appending to the same file would interleave and lose each other's writes. The
 * lock file holds the owner's pid; a lock left by a process that died (a crash, SIGKILL) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export class JournalLockedError extends Error {
  override name = 'JournalLockedError';
}

/** Takes the lock for `journalFile`; the function returned releases it. */
export function lockJournal(journalFile: string): () => void {
  const lockFile = `${journalFile}.lock`;
  for (;;) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(lockFile, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new JournalLockedError(`${journalFile} is in use by process ${owner}`);
    }
    rmSync(lockFile, { force: true }); // stale: its owner is gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
