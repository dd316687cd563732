/** What the app needs from an e-mail service. Activities take a Mailer; `createAcsMailer` makes the real one. */

export interface OutgoingMail {
  to: string[];
  cc?: string[];
  subject: string;
  /** A complete HTML document; build it with a template (templates/), which escapes every user string. */
  html: string;
  text: string;
  replyTo?: string;
  /**
   * A GUID naming this send: sent as ACS's `Operation-Id`, so a retried or re-run send of the same notice is the
   * same operation and is delivered once. Derive it from what the mail is about (see `mailIdFor`).
   */
  idempotencyKey?: string;
}

export interface Mailer {
  /** Resolves once the service reports the message sent; rejects with MailSendError otherwise. */
  send(message: OutgoingMail): Promise<{ id: string }>;
}
