/**
 * What the request orchestration's activities are built from (so tests can give them real adapters against the
 * stand-ins), and the helpers they share: the refusal audit and a request's recorded approval.
 */
import type { AccessProvider } from '../access/access-provider';
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { AccessNames } from '../access/describe-access';
import type { Directory } from '../directory/directory';
import type { Mailer } from '../mail/mailer';
import type { RoleSettingsSource } from '../policies/domain/role-settings';
import type { Approval } from '../approvals/domain/approval';
import type { PimStore } from './adapters/pim-store';
import type { RequestRef } from './contract';
import { refusalRecord } from './domain/refusal-audit';
import type { ScheduleRequest } from './domain/schedule-request';

export interface RequestActivityDeps {
  store: PimStore;
  access: AccessProvider;
  audit: AuditWriter;
  directory: Directory;
  /** ARM, to name Azure roles and scopes in notices (ids without it). */
  azureRbac?: AccessNames['azureRbac'];
  mailer: Mailer;
  roleSettings: RoleSettingsSource;
  clock: Clock;
  /** ADMIN_NOTIFICATION_RECIPIENTS: the admins' default recipients. */
  adminRecipients: readonly string[];
  /** Approvals by id (the approval of a request has the request's id). */
  approvals: { find(id: string, groupId: string): Promise<Approval | undefined> };
  /** Access review decision items, to confirm an end raised by a review's apply. */
  reviewDecisions: {
    find(
      decisionId: string,
      instanceId: string,
    ): Promise<
      | {
          decision: string;
          principal: { id: string };
          resource: { groupId: string; accessId: string };
          applyAttemptedDateTime?: string | null;
          scheduleId: string;
        }
      | undefined
    >;
  };
  log?: (message: string) => void;
}

/** Audits an orchestration input or event that stored state doesn't back (see domain/refusal-audit.ts). */
export function auditRefusal(
  d: Pick<RequestActivityDeps, 'audit' | 'clock'>,
  ref: RequestRef,
  what: string,
  reason: string,
  principalId: string | null,
  details: Record<string, string | null> = {},
): Promise<void> {
  return d.audit.record(refusalRecord(ref, what, reason, { principalId, details, at: d.clock.now() }));
}

/** The approval a request records, if it needs one. */
export function approvalOf(
  d: Pick<RequestActivityDeps, 'approvals'>,
  r: ScheduleRequest,
): Promise<Approval | undefined> | undefined {
  return r.approvalId ? d.approvals.find(r.approvalId, r.groupId) : undefined;
}
