/** Typed errors of the e-mail adapter, so callers can tell a settings mistake from a failed send. */

/** The mail settings are wrong (e.g. both or neither of a connection string and an endpoint): fix the config. */
export class MailConfigError extends Error {
  override name = 'MailConfigError';
}

export interface MailSendErrorDetails {
  /** The service's error code, e.g. `InvalidEmailAddress`, `Denied`, `EmailDroppedAllRecipientsSuppressed`. */
  code?: string;
  /** The HTTP status when the service refused the request (400, 401, ...); absent when the send itself failed. */
  statusCode?: number;
  /** The send operation's id, when the service accepted the message and then failed it. */
  operationId?: string;
}

/** ACS refused the message, failed to send it, or did not finish in time. */
export class MailSendError extends Error {
  override name = 'MailSendError';
  readonly code?: string;
  readonly statusCode?: number;
  readonly operationId?: string;

  constructor(message: string, details: MailSendErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = details.code;
    this.statusCode = details.statusCode;
    this.operationId = details.operationId;
  }
}

/** A template was given something it must not render (e.g. a `javascript:` link). A bug, not user error. */
export class MailTemplateError extends Error {
  override name = 'MailTemplateError';
}
