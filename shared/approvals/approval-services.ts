/**
 * What the approval's use cases work with: the approvals repository and the ports for the directory, mail, audit,
 * the clock and e-mail links. The composition root's `AppServices` fits as is.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { AccessNames } from '../access/describe-access';
import type { Directory } from '../directory/directory';
import type { Mailer } from '../mail/mailer';
import type { ApprovalDecision } from '../requests/domain/schedule-request';
import type { ApprovalRepository } from './adapters/approval-repository';

/** What an approver's own e-mail link is bound to: one approval, one step, one approver, until the step expires. */
export interface ApprovalLinkRequest {
  approvalId: string;
  stepId: string;
  groupId: string;
  approverId: string;
  expiresDateTime: string;
  now: Date;
}

/** Issues e-mail links (signed; http/approval-links.ts makes the real one). */
export interface ApprovalLinks {
  /** The link's URL, to the confirmation page. */
  linkFor(request: ApprovalLinkRequest): Promise<string>;
}

export interface ApprovalServices {
  approvals: ApprovalRepository;
  approvalLinks: ApprovalLinks;
  clock: Clock;
  directory: Directory;
  /** ARM, to name Azure roles and scopes in approval mails (ids without it). */
  azureRbac?: AccessNames['azureRbac'];
  mailer: Mailer;
  audit: AuditWriter;
  /** Where problems that must not fail the operation (a mail not sent) are reported. Default: console.warn. */
  log?: (message: string) => void;
}

/** Sends an event to the request's orchestration: the HTTP functions pass one built on the durable client. */
export type RaiseDecision = (
  instanceId: string,
  eventName: string,
  payload: ApprovalDecision,
) => Promise<void>;

/** The services' logger, console.warn when none was given. */
export function warn(services: Pick<ApprovalServices, 'log'>): (message: string) => void {
  return services.log ?? ((m) => console.warn(m));
}
