/**
 * The stand-in's mailbox on disk: every accepted message and every failed send operation, rewritten after each
 * change (write a temporary file, fsync, rename, fsync the folder), so a crash leaves the old or the new file,
 * never half of one, and messages outlive restarts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readJsonIfExists, writeFileDurably } from '../durable-file';

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

export class MessageStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly data: DataFile,
  ) {}

  static async open(file: string): Promise<MessageStore> {
    await mkdir(path.dirname(file), { recursive: true });
    const data = readJsonIfExists(file, 'Mail stand-in') as Partial<DataFile> | undefined;
    if (data === undefined) return new MessageStore(file, { version: 1, messages: [], failed: [] });
    // Refuse a file we don't understand rather than start empty and overwrite it.
    if (data.version !== 1 || !Array.isArray(data.messages) || !Array.isArray(data.failed))
      throw new Error(`Mail stand-in: ${file} is not a mailbox file this version can read`);
    return new MessageStore(file, data as DataFile);
  }

  /** Newest first; `to` matches To, Cc or Bcc, ignoring case. */
  list(to?: string): StoredMessage[] {
    const wanted = to?.trim().toLowerCase();
    const all = [...this.data.messages].reverse();
    if (!wanted) return all;
    return all.filter((m) => [...m.to, ...m.cc, ...m.bcc].some((a) => a.toLowerCase() === wanted));
  }

  get(id: string): StoredMessage | undefined {
    return this.data.messages.find((m) => m.id === id);
  }

  getFailed(id: string): FailedOperation | undefined {
    return this.data.failed.find((f) => f.id === id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined || this.getFailed(id) !== undefined;
  }

  async add(message: StoredMessage): Promise<void> {
    this.data.messages.push(message);
    await this.persist();
  }

  async addFailed(operation: FailedOperation): Promise<void> {
    this.data.failed.push(operation);
    await this.persist();
  }

  async clear(): Promise<void> {
    this.data.messages = [];
    this.data.failed = [];
    await this.persist();
  }

  /** Resolves when every change made so far is on disk. */
  async flushed(): Promise<void> {
    await this.writing;
  }

  private persist(): Promise<void> {
    // Snapshot now, write in order: the last write on disk always holds every change made before it.
    const snapshot = JSON.stringify(this.data);
    const next = this.writing.then(() => writeFileDurably(this.file, snapshot));
    this.writing = next.catch(() => undefined);
    return next;
  }
}
