/** What the app needs from an e-mail service. Activities take a Mailer; `createAcsMailer` makes the real one. */

export interface OutgoingMail {
  to: string[];
  cc?: string[];
  subject: string;
  /** A complete HTML document; build it with a template (templates/), which escapes every user string. */
  html: string;
  text: string;
  replyTo?: string;
}

export interface Mailer {
  /** Resolves once the service reports the message sent; rejects with MailSendError otherwise. */
  send(message: OutgoingMail): Promise<{ id: string }>;
}
