/**
 * A stand-in's whole state in memory, saved whole to its data file after changes (see durable-file.ts: temporary
 * file, fsync, rename), so a SIGKILL at any instant leaves either the old or the new state. Saves are grouped
 * (GroupCommit): one runs at a time, and the next saves the state as it is then, covering every change made
 * meanwhile. A request that changed something is answered only once a save holding its change has ended
 * (`durably`); reads never wait. The Graph and ARM stand-ins keep their tenants in one.
 */
import { GroupCommit, replaceFileDurably } from './durable-file';

export class DurableState<T> {
  private readonly saves: GroupCommit<string>;
  /** Settles when the last change so far is saved (and with it every earlier one). */
  private lastSave: Promise<void> = Promise.resolve();
  private changes = 0;

  constructor(
    readonly data: T,
    dataFile: string,
  ) {
    this.saves = new GroupCommit(
      () => JSON.stringify(this.data, null, 1),
      (text) => replaceFileDurably(dataFile, text),
    );
  }

  /**
   * Applies a change at once (reads see it) and saves it. The promise settles when the change is on disk, or
   * its save failed; callers that don't wait for it needn't handle its failure.
   */
  change(mutate: (data: T) => void): Promise<void> {
    mutate(this.data);
    this.changes++;
    const saved = this.saves.request();
    saved.catch(() => undefined);
    this.lastSave = saved;
    return saved;
  }

  /**
   * Runs `handle` (synchronous), and when it changed the state waits until those changes are on disk before
   * giving its result: what a request's answer may tell a client then survives a crash right after. Rejects if
   * the save failed. A `handle` that changed nothing doesn't wait.
   */
  async durably<R>(handle: () => R): Promise<R> {
    const before = this.changes;
    try {
      return handle();
    } finally {
      if (this.changes !== before) await this.lastSave;
    }
  }

  /** Resolves (never rejects) once every save begun or due for the changes so far has ended. */
  saved(): Promise<void> {
    return this.saves.settled();
  }
}
