/**
 * The Mailer on Azure Communication Services Email: a connection string locally (the stand-in), an endpoint and a
 * managed identity in Azure. Sends with `beginSend` and waits for the operation's final status.
 */
import { EmailClient, type EmailMessage, type EmailSendResult } from '@azure/communication-email';
import type { TokenCredential } from '@azure/identity';
import { MailConfigError, MailSendError } from './errors';
import type { Mailer, OutgoingMail } from './mailer';

export interface AcsMailerOptions {
  /** `endpoint=https://...;accesskey=...`; give this or `endpoint` + `credential`, not both. */
  connectionString?: string;
  endpoint?: string;
  credential?: TokenCredential;
  /** A sender on a domain connected to the ACS resource, e.g. `DoNotReply@contoso.com`. */
  senderAddress: string;
  /** How long one send may take, polling included (default 2 minutes). */
  timeoutMs?: number;
  /** The SDK's wait between polls when the service sends no Retry-After (SDK default 2 s). */
  pollIntervalMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const ADDRESS = /^[^\s@<>()[\]",;:]+@[^\s@<>()[\]",;:]+$/;

export function createAcsMailer(options: AcsMailerOptions): Mailer {
  const client = createClient(options);
  if (!ADDRESS.test(options.senderAddress))
    throw new MailConfigError(`Mail sender address is not an e-mail address: '${options.senderAddress}'`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    async send(mail: OutgoingMail): Promise<{ id: string }> {
      const message: EmailMessage = {
        senderAddress: options.senderAddress,
        content: { subject: mail.subject, html: mail.html, plainText: mail.text },
        recipients: {
          to: mail.to.map((address) => ({ address })),
          ...(mail.cc?.length ? { cc: mail.cc.map((address) => ({ address })) } : {}),
        },
        ...(mail.replyTo ? { replyTo: [{ address: mail.replyTo }] } : {}),
        // Approval links carry one-time tokens: they must not be rewritten through a click tracker.
        disableUserEngagementTracking: true,
      };
      const abortSignal = AbortSignal.timeout(timeoutMs);
      // The poller reports a failed operation only as a message string; keep the last body for its error code.
      let last: EmailSendResult | undefined;
      const onResponse = (_raw: unknown, flat: unknown) => {
        if (isSendResult(flat)) last = flat;
      };
      try {
        const poller = await client.beginSend(message, {
          abortSignal,
          onResponse,
          ...(mail.idempotencyKey ? { operationId: mail.idempotencyKey } : {}),
          ...(options.pollIntervalMs !== undefined ? { updateIntervalInMs: options.pollIntervalMs } : {}),
        });
        const result = await poller.pollUntilDone({ abortSignal });
        if (result.status !== 'Succeeded') throw failed(result);
        return { id: result.id };
      } catch (err) {
        throw toSendError(err, last, abortSignal.aborted ? timeoutMs : undefined);
      }
    },
  };
}

function createClient(o: AcsMailerOptions): EmailClient {
  const viaEndpoint = o.endpoint !== undefined || o.credential !== undefined;
  if (o.connectionString !== undefined && viaEndpoint)
    throw new MailConfigError(
      'Mail: give either a connection string or an endpoint and credential, not both',
    );
  try {
    if (o.connectionString !== undefined) return new EmailClient(o.connectionString);
    if (o.endpoint !== undefined && o.credential !== undefined)
      return new EmailClient(o.endpoint, o.credential);
  } catch (err) {
    // The SDK's message would echo the connection string, access key included.
    const what = o.connectionString !== undefined ? 'connection string' : `endpoint '${o.endpoint}'`;
    throw new MailConfigError(`Mail: the ${what} is not valid`, { cause: redacted(err, o.connectionString) });
  }
  throw new MailConfigError(
    viaEndpoint
      ? 'Mail: an endpoint needs a credential (managed identity), and a credential an endpoint'
      : 'Mail: give a connection string, or an endpoint and a credential',
  );
}

function failed(result: EmailSendResult): MailSendError {
  const code = result.error?.code;
  const reason = result.error?.message ?? `status ${result.status}`;
  return new MailSendError(`E-mail was not sent: ${code ? `${code}: ` : ''}${reason}`, {
    code,
    operationId: result.id,
  });
}

/** `timedOutAfterMs` is set when our deadline aborted the send. */
function toSendError(
  err: unknown,
  last: EmailSendResult | undefined,
  timedOutAfterMs: number | undefined,
): MailSendError {
  if (err instanceof MailSendError) return err;
  if (last && last.status !== 'Running' && last.status !== 'NotStarted' && last.status !== 'Succeeded')
    return failed(last);
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (timedOutAfterMs !== undefined)
    return new MailSendError(
      `E-mail was not sent: no final status within ${timedOutAfterMs} ms`,
      { code: 'Timeout', ...(last ? { operationId: last.id } : {}) },
      { cause: err },
    );
  const statusCode = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const prefix =
    statusCode === 401 || statusCode === 403
      ? 'E-mail service refused our credentials'
      : statusCode !== undefined
        ? `E-mail service refused the message (HTTP ${statusCode})`
        : 'E-mail could not be sent';
  return new MailSendError(
    `${prefix}: ${code ? `${code}: ` : ''}${message}`,
    { code, statusCode },
    { cause: err },
  );
}

function isSendResult(body: unknown): body is EmailSendResult {
  const b = body as Partial<EmailSendResult> | undefined;
  return typeof b?.id === 'string' && typeof b.status === 'string';
}

function redacted(err: unknown, secret: string | undefined): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(secret ? message.split(secret).join('<connection string>') : message);
}
