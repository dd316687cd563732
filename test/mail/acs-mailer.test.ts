/** The ACS Mailer against the ACS stand-in over HTTPS: what is sent really lands in the mailbox. */
import { EmailClient } from '@azure/communication-email';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcsMailer } from '../../shared/mail/acs-mailer';
import { MailConfigError, MailSendError } from '../../shared/mail/errors';
import { messagesTo, startTestMailStandIn, uniqueAddress, type TestMailStandIn } from './mail-test-helpers';

const SENDER = 'DoNotReply@pimflow.example.com';

describe('ACS mailer', () => {
  let mail: TestMailStandIn;
  beforeAll(async () => {
    mail = await startTestMailStandIn();
  });
  afterAll(async () => {
    await mail.standIn.close();
  });

  const mailer = () =>
    createAcsMailer({ connectionString: mail.standIn.connectionString, senderAddress: SENDER });

  it('sends a message that arrives with its HTML and text bodies', async () => {
    const to = uniqueAddress('alice');
    const sent = await mailer().send({
      to: [to],
      subject: 'Access request',
      html: '<p>Hello <b>Alice</b></p>',
      text: 'Hello Alice',
      replyTo: 'approvers@contoso.example.com',
    });
    const [received, ...others] = await messagesTo(mail.standIn, to);
    expect(others).toEqual([]);
    expect(received).toMatchObject({
      id: sent.id,
      from: SENDER,
      to: [to],
      cc: [],
      subject: 'Access request',
      html: '<p>Hello <b>Alice</b></p>',
      text: 'Hello Alice',
      replyTo: ['approvers@contoso.example.com'],
    });
    expect(Date.parse(received?.receivedDateTime ?? '')).not.toBeNaN();
  });

  it('delivers to several recipients and cc, each finding it (ignoring case)', async () => {
    const [a, b, c] = [uniqueAddress('a'), uniqueAddress('b'), uniqueAddress('c')] as const;
    const { id } = await mailer().send({ to: [a, b], cc: [c], subject: 'Team', html: '<p>x</p>', text: 'x' });
    for (const address of [a, b, c.toUpperCase()]) {
      const received = await messagesTo(mail.standIn, address);
      expect(received.map((m) => m.id)).toEqual([id]);
      expect(received[0]).toMatchObject({ to: [a, b], cc: [c] });
    }
  });

  it('lists newest first', async () => {
    const to = uniqueAddress();
    const first = await mailer().send({ to: [to], subject: 'first', html: '<p>1</p>', text: '1' });
    const second = await mailer().send({ to: [to], subject: 'second', html: '<p>2</p>', text: '2' });
    expect((await messagesTo(mail.standIn, to)).map((m) => m.id)).toEqual([second.id, first.id]);
  });

  it("makes the SDK's poller really poll: the first poll answers Running, the next Succeeded, without waiting", async () => {
    const client = new EmailClient(mail.standIn.connectionString);
    const to = uniqueAddress();
    const started = performance.now();
    const poller = await client.beginSend({
      senderAddress: SENDER,
      recipients: { to: [{ address: to }] },
      content: { subject: 'poll', plainText: 'poll' },
    });
    // beginSend has sent the message and polled once.
    expect(poller.getOperationState().status).toBe('running');
    const result = await poller.pollUntilDone();
    expect(result.status).toBe('Succeeded');
    expect(performance.now() - started).toBeLessThan(1_500); // the SDK's default wait between polls is 2 s
    expect((await messagesTo(mail.standIn, to)).map((m) => m.id)).toEqual([result.id]);
  });

  it('fails with a clear error on a wrong access key, and nothing lands in the mailbox', async () => {
    const wrongKey = randomBytes(64).toString('base64');
    const connectionString = mail.standIn.connectionString.replace(mail.accessKey, wrongKey);
    expect(connectionString).not.toBe(mail.standIn.connectionString);
    const to = uniqueAddress();
    const error = await createAcsMailer({ connectionString, senderAddress: SENDER })
      .send({ to: [to], subject: 's', html: '<p>h</p>', text: 't' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailSendError);
    expect(error).toMatchObject({ statusCode: 401, code: 'Denied' });
    expect((error as Error).message).toMatch(/refused our credentials/);
    expect(await messagesTo(mail.standIn, to)).toEqual([]);
  });

  it('surfaces ACS validation errors (400) with their code', async () => {
    const send = (to: string[]) =>
      mailer()
        .send({ to, subject: 's', html: '<p>h</p>', text: 't' })
        .catch((e: unknown) => e);
    const badAddress = await send(['not-an-address']);
    expect(badAddress).toBeInstanceOf(MailSendError);
    expect(badAddress).toMatchObject({ statusCode: 400, code: 'InvalidEmailAddress' });
    expect((badAddress as Error).message).toMatch(/HTTP 400.*not-an-address/);
    expect(await send([])).toMatchObject({ statusCode: 400, code: 'BadRequest' });
  });

  it('throws MailSendError when the operation ends Failed (all recipients suppressed)', async () => {
    const error = await mailer()
      .send({ to: ['nobody@nowhere.invalid'], subject: 's', html: '<p>h</p>', text: 't' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailSendError);
    expect(error).toMatchObject({ code: 'EmailDroppedAllRecipientsSuppressed' });
    expect((error as MailSendError).operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await messagesTo(mail.standIn, 'nobody@nowhere.invalid')).toEqual([]);
  });

  it('gives up with a Timeout MailSendError when the send takes longer than timeoutMs', async () => {
    const error = await createAcsMailer({
      connectionString: mail.standIn.connectionString,
      senderAddress: SENDER,
      timeoutMs: 1,
    })
      .send({ to: [uniqueAddress()], subject: 's', html: '<p>h</p>', text: 't' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailSendError);
    expect(error).toMatchObject({ code: 'Timeout' });
  });

  it('refuses a configuration with both, neither or half of the connection options', () => {
    const credential = { getToken: () => Promise.resolve(null) };
    const bad = [
      { senderAddress: SENDER },
      { senderAddress: SENDER, connectionString: mail.standIn.connectionString, endpoint: mail.standIn.url },
      { senderAddress: SENDER, endpoint: mail.standIn.url },
      { senderAddress: SENDER, credential },
      { senderAddress: 'not an address', connectionString: mail.standIn.connectionString },
    ];
    for (const options of bad) expect(() => createAcsMailer(options)).toThrow(MailConfigError);
    expect(() =>
      createAcsMailer({ senderAddress: SENDER, endpoint: mail.standIn.url, credential }),
    ).not.toThrow();
  });

  it('does not echo the access key of a malformed connection string', () => {
    const secret = 'c2VjcmV0LWtleQ==';
    const error = (() => {
      try {
        createAcsMailer({ senderAddress: SENDER, connectionString: `accesskey=${secret}` });
      } catch (e) {
        return e as Error & { cause?: Error };
      }
    })();
    expect(error).toBeInstanceOf(MailConfigError);
    expect(`${error?.message} ${error?.cause?.message}`).not.toContain(secret);
  });
});

describe('ACS stand-in persistence', () => {
  it('keeps messages across a restart', async () => {
    const first = await startTestMailStandIn();
    const to = uniqueAddress();
    let id: string;
    try {
      ({ id } = await createAcsMailer({
        connectionString: first.standIn.connectionString,
        senderAddress: SENDER,
      }).send({ to: [to], subject: 'kept', html: '<p>kept</p>', text: 'kept' }));
    } finally {
      await first.standIn.close();
    }
    const second = await startTestMailStandIn({ dataFile: first.dataFile, accessKey: first.accessKey });
    try {
      expect(await messagesTo(second.standIn, to)).toMatchObject([{ id, subject: 'kept', text: 'kept' }]);
    } finally {
      await second.standIn.close();
    }
  });
});
