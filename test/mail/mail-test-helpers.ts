/** Starting the ACS stand-in for a test, and reading its mailbox over HTTPS as a person or a script would. */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startMailStandIn,
  type MailStandIn,
  type StoredMessage,
} from '../../local/standins/mail/mail-stand-in';
import { testTls } from '../helpers';

/** A message as the mailbox's JSON lists it: as the stand-in stores it. */
export type MailboxMessage = StoredMessage;

export interface TestMailStandIn {
  standIn: MailStandIn;
  accessKey: string;
  dataFile: string;
}

export async function startTestMailStandIn(
  o: { dataFile?: string; accessKey?: string } = {},
): Promise<TestMailStandIn> {
  const dataFile =
    o.dataFile ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'pimflow-mail-')), 'mailbox.json');
  const accessKey = o.accessKey ?? randomBytes(64).toString('base64');
  const standIn = await startMailStandIn({ tls: testTls(), dataFile, accessKey });
  return { standIn, accessKey, dataFile };
}

/** An address no other test sends to, so tests can share a stand-in. */
export function uniqueAddress(name = 'user'): string {
  return `${name}.${randomUUID().slice(0, 8)}@contoso.example.com`;
}

export async function messagesTo(standIn: MailStandIn, address: string): Promise<MailboxMessage[]> {
  const res = await fetch(`${standIn.mailboxUrl}/messages?to=${encodeURIComponent(address)}`);
  if (res.status !== 200) throw new Error(`mailbox answered ${res.status}`);
  return (await res.json()) as MailboxMessage[];
}
