/**
 * The mailbox keeps a journal: a change appends one line and waits for an fdatasync holding it; lines of changes
 * made while an append is in flight go out together with the next one. Every acknowledged change is there for a
 * second store started on the same files while the first never shut down (a SIGKILL); a line torn by a crash is
 * dropped, and the journal is folded into the snapshot at start.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { createAcsMailer } from '../../shared/mail/acs-mailer';
import { MessageStore, type StoredMessage } from '../../local/standins/mail/message-store';
import { messagesTo, startTestMailStandIn, uniqueAddress, type TestMailStandIn } from './mail-test-helpers';

const dirs: string[] = [];
const running: TestMailStandIn[] = [];

afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  for (const mail of running) await mail.standIn.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-mail-journal-'));
  dirs.push(dir);
  return path.join(dir, 'mailbox.json');
}

function message(to = 'someone@contoso.example.com'): StoredMessage {
  return {
    id: randomUUID(),
    from: 'DoNotReply@pimflow.example.com',
    to: [to],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: 's',
    html: '<p>h</p>',
    text: 't',
    receivedDateTime: new Date().toISOString(),
  };
}

/** Counts fdatasyncs from here on. */
async function countDatasyncs(): Promise<{ count: () => number }> {
  const probe = await open(`${tempFile()}.probe`, 'w');
  const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  const datasync = vi.spyOn(prototype, 'datasync');
  return { count: () => datasync.mock.calls.length };
}

it('groups concurrent messages into few appends, each acknowledged only once in the journal', async () => {
  const file = tempFile();
  const store = await MessageStore.open(file);
  const datasyncs = await countDatasyncs();
  const messages = Array.from({ length: 300 }, () => message());

  const notInJournalWhenAcknowledged: string[] = [];
  await Promise.all(
    messages.map(async (m) => {
      await store.add(m);
      if (!readFileSync(`${file}.journal`, 'utf8').includes(m.id)) notInJournalWhenAcknowledged.push(m.id);
    }),
  );

  expect(notInJournalWhenAcknowledged).toEqual([]);
  expect(store.appendCount).toBeGreaterThan(0);
  expect(store.appendCount).toBeLessThan(messages.length);
  expect(datasyncs.count()).toBe(store.appendCount);
  expect(existsSync(file)).toBe(false); // no snapshot rewrite per message

  // A second store on the same files while the first never shut down: what a SIGKILL leaves behind.
  const reopened = await MessageStore.open(file);
  expect(reopened.list().map((m) => m.id)).toEqual(messages.map((m) => m.id).reverse());
  expect(readFileSync(`${file}.journal`, 'utf8')).toBe(''); // folded into the snapshot
  const again = await MessageStore.open(file);
  expect(again.list()).toHaveLength(messages.length);
});

it('replays clears and failed operations, drops a torn last line, and survives a crash mid-compaction', async () => {
  const file = tempFile();
  const store = await MessageStore.open(file);
  const dropped = message();
  await store.add(dropped);
  await store.clear();
  const kept = message();
  await Promise.all([
    store.add(kept),
    store.addFailed({ id: 'op-1', error: { code: 'EmailDroppedAllRecipientsSuppressed', message: 'm' } }),
  ]);
  const journal = readFileSync(`${file}.journal`, 'utf8');
  appendFileSync(`${file}.journal`, '{"add":{"id":"torn'); // a crash mid-append: never acknowledged

  const reopened = await MessageStore.open(file);
  expect(reopened.list().map((m) => m.id)).toEqual([kept.id]);
  expect(reopened.getFailed('op-1')?.error.code).toBe('EmailDroppedAllRecipientsSuppressed');
  expect(reopened.has(dropped.id)).toBe(false);

  // A crash after the snapshot took the journal in but before the journal was emptied: replayed again, same state.
  appendFileSync(`${file}.journal`, journal);
  const replayedTwice = await MessageStore.open(file);
  expect(replayedTwice.list().map((m) => m.id)).toEqual([kept.id]);
  expect(replayedTwice.getFailed('op-1')).toBeDefined();
});

it('refuses a journal with a broken line before its end rather than lose what follows', async () => {
  const file = tempFile();
  const store = await MessageStore.open(file);
  await store.add(message());
  appendFileSync(`${file}.journal`, 'not json\n{"clear":true}\n');
  await expect(MessageStore.open(file)).rejects.toThrow(/line 2 is not a mailbox change/);
});

it('keeps every message sent concurrently over HTTPS across a crash', async () => {
  const first = await startTestMailStandIn();
  running.push(first);
  const to = uniqueAddress('burst');
  const mailer = createAcsMailer({
    connectionString: first.standIn.connectionString,
    senderAddress: 'DoNotReply@pimflow.example.com',
  });
  const sent = await Promise.all(
    Array.from({ length: 25 }, (_, i) =>
      mailer.send({ to: [to], subject: `burst ${i}`, html: `<p>${i}</p>`, text: `${i}` }),
    ),
  );

  const afterCrash = await startTestMailStandIn({ dataFile: first.dataFile, accessKey: first.accessKey });
  running.push(afterCrash);
  const ids = (await messagesTo(afterCrash.standIn, to)).map((m) => m.id);
  expect(ids).toHaveLength(sent.length);
  expect(ids).toEqual(expect.arrayContaining(sent.map((s) => s.id)));
});
