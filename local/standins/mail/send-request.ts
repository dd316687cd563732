/**
 * Validation of an ACS `POST /emails:send` body, with ACS's error codes: what the service would refuse with 400
 * is refused here too, so a bad message fails locally as it would in Azure.
 */
import type { StoredMessage } from './message-store';

export type NewMessage = Omit<StoredMessage, 'id' | 'receivedDateTime'>;

export type SendRequestCheck =
  { ok: true; message: NewMessage } | { ok: false; code: string; message: string };

/** ACS's limit: at most 50 recipients across To, Cc and Bcc. */
const MAX_RECIPIENTS = 50;
const ADDRESS = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\.]+$/;

class Invalid extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function checkSendRequest(body: Buffer): SendRequestCheck {
  try {
    return { ok: true, message: parse(body) };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

function parse(body: Buffer): NewMessage {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Invalid('BadRequest', 'The request body is not valid JSON.');
  }
  const msg = object(json, 'request body');
  const from = address(msg.senderAddress, 'senderAddress');
  const recipients = object(msg.recipients, 'recipients');
  const to = addresses(recipients.to, 'recipients.to');
  if (to.length === 0) throw new Invalid('BadRequest', 'recipients.to must contain at least one recipient.');
  const cc = addresses(recipients.cc, 'recipients.cc');
  const bcc = addresses(recipients.bcc, 'recipients.bcc');
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS)
    throw new Invalid('TooManyRecipients', `A message can have at most ${MAX_RECIPIENTS} recipients.`);
  const content = object(msg.content, 'content');
  const subject = content.subject;
  if (typeof subject !== 'string' || subject.trim() === '')
    throw new Invalid('BadRequest', 'content.subject is required.');
  const html = optionalString(content.html, 'content.html');
  const text = optionalString(content.plainText, 'content.plainText');
  if (!html && !text) throw new Invalid('BadRequest', 'content.html or content.plainText is required.');
  return {
    from,
    to,
    cc,
    bcc,
    replyTo: addresses(msg.replyTo, 'replyTo'),
    subject,
    html: html ?? '',
    text: text ?? '',
  };
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid('BadRequest', `${field} is required and must be an object.`);
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Invalid('BadRequest', `${field} must be a string.`);
  return value === '' ? undefined : value;
}

function address(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ADDRESS.test(value))
    throw new Invalid('InvalidEmailAddress', `Invalid email address format in ${field}: '${String(value)}'.`);
  return value;
}

/** A list of `{ address, displayName? }`; absent means empty. */
function addresses(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Invalid('BadRequest', `${field} must be an array.`);
  return value.map((entry: unknown, i) => address(object(entry, `${field}[${i}]`).address, `${field}[${i}]`));
}
