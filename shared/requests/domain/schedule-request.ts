/**
 * A PIM-for-Groups schedule request, as Graph's `privilegedAccessGroupAssignmentScheduleRequest` and
 * `...EligibilityScheduleRequest`: who asks for which access to which group, when, and why; and where it stands.
 * Stored in the `scheduleRequests` container, partitioned by group (every request names its group).
 */
import { z } from 'zod';
import { graphEnum } from '../../graph-enum';
import { resourceIdSchema, resourceTypeSchema, roleIdSchema } from '../../access/resource';

export const requestActionSchema = graphEnum([
  'adminAssign',
  'adminUpdate',
  'adminRemove',
  'adminExtend',
  'adminRenew',
  'selfActivate',
  'selfDeactivate',
  'selfExtend',
  'selfRenew',
]);
export type RequestAction = z.infer<typeof requestActionSchema>;

/** Graph's request statuses, plus `TimedOut` (PIM shows such requests as expired; Graph has no status for it). */
export const requestStatusSchema = z.enum([
  'Canceled',
  'Denied',
  'Failed',
  'Granted',
  'PendingAdminDecision',
  'PendingApproval',
  'PendingProvisioning',
  'PendingScheduleCreation',
  'Provisioned',
  'Revoked',
  'ScheduleCreated',
  'TimedOut',
]);
export type RequestStatus = z.infer<typeof requestStatusSchema>;

/** A request still on its way: at most one per principal, group and role. */
export const OPEN_STATUSES: readonly RequestStatus[] = [
  'PendingAdminDecision',
  'PendingApproval',
  'PendingProvisioning',
  'PendingScheduleCreation',
  'Granted',
];

export const EXPIRATION_TYPES = ['notSpecified', 'noExpiration', 'afterDateTime', 'afterDuration'] as const;

export const expirationSchema = z.object({
  type: graphEnum(EXPIRATION_TYPES),
  endDateTime: z.iso.datetime({ offset: true }).nullable().optional(),
  duration: z.string().nullable().optional(),
});

export const scheduleInfoSchema = z.object({
  startDateTime: z.iso.datetime({ offset: true }).nullable().optional(),
  expiration: expirationSchema,
});
export type ScheduleInfo = z.infer<typeof scheduleInfoSchema>;

export const ticketInfoSchema = z.object({
  ticketNumber: z.string().max(256).nullable().optional(),
  ticketSystem: z.string().max(256).nullable().optional(),
});

export const scheduleRequestSchema = z.object({
  id: z.guid(),
  /** A group, or a directory role (`groupId` the directory scope, `accessId` the role): ../../access/resource.ts. */
  resourceType: resourceTypeSchema.optional(),
  /** The resource: the group's id, or the directory scope. The partition key. */
  groupId: resourceIdSchema,
  /** Which Graph resource: assignment (active) or eligibility. */
  kind: z.enum(['assignment', 'eligibility']),
  action: requestActionSchema,
  /** The role: `member` or `owner` of the group, or the directory role definition's id. */
  accessId: roleIdSchema,
  principalId: z.guid(),
  justification: z.string().nullable(),
  ticketInfo: ticketInfoSchema.nullable(),
  scheduleInfo: scheduleInfoSchema,
  /** Resolved window: when access starts and ends (null end = permanent). */
  startDateTime: z.iso.datetime(),
  endDateTime: z.iso.datetime().nullable(),
  isValidationOnly: z.boolean(),
  targetScheduleId: z.string().nullable(),
  approvalId: z.string().nullable(),
  status: requestStatusSchema,
  createdBy: z.object({ user: z.object({ id: z.string(), displayName: z.string().nullable().optional() }) }),
  createdDateTime: z.iso.datetime(),
  completedDateTime: z.iso.datetime().nullable(),
  /** The Durable orchestration that carries the request out. */
  orchestrationInstanceId: z.string(),
  /**
   * What the orchestration carries out, stored with the request so that the orchestration reads it from here and
   * never trusts its input (which anyone with the management API's key could forge). Absent on requests written
   * before it existed: `workflowOf` derives it.
   */
  workflow: z
    .object({
      action: z.enum(['selfActivate', 'adminAssign', 'selfExtend', 'adminExtend', 'selfRenew', 'adminRenew']),
      approval: z
        .discriminatedUnion('kind', [
          z.object({ kind: z.literal('activation') }),
          z.object({ kind: z.literal('admins'), expiresDateTime: z.iso.datetime() }),
        ])
        .nullable(),
      activatedUsing: z.string().nullable(),
    })
    .optional(),
  /** Fingerprint of the POST that made it (caller and body): a retried POST gets this request back. */
  idempotencyKey: z.string().optional(),
  /** Who canceled it and when: written before the orchestration is told, so a lost event is re-sent. */
  cancelRequested: z
    .object({
      by: z.object({ id: z.string(), displayName: z.string().nullable() }),
      dateTime: z.iso.datetime(),
    })
    .nullable()
    .optional(),
  /**
   * An end request (selfDeactivate, adminRemove): when the target schedule's orchestration confirmed it. Until then
   * the reconciler re-sends the end.
   */
  deliveredDateTime: z.iso.datetime().nullable().optional(),
});
export type ScheduleRequest = z.infer<typeof scheduleRequestSchema>;

/** The orchestration instance id of a request: derived, so a retried POST can't start two. */
export function requestInstanceId(requestId: string): string {
  return `request-${requestId}`;
}

/**
 * The request orchestration's event names, kept for files of other features that still use them: new code takes
 * `RequestEvent` (../contract.ts), whose names these are (literals here: the domain doesn't load the durable SDK).
 */
export const REQUEST_EVENTS = {
  approvalDecided: 'ApprovalDecided',
  end: 'EndAccess',
  cancel: 'CancelRequest',
  extend: 'ExtendSchedule',
} as const;

/**
 * Payload of RequestEvent.end (../contract.ts). A hint, not a command: the orchestration ends access only when
 * Cosmos DB confirms it (the end request `endRequestId`, or the access review decision `reviewDecision` that
 * removed it).
 */
export interface EndAccessEvent {
  by: { id: string; displayName: string | null };
  /** The stored selfDeactivate / adminRemove request. */
  endRequestId?: string;
  /** The access review decision whose apply removed the access (`alreadyRevoked`). */
  reviewDecision?: { definitionId: string; instanceId: string; decisionId: string };
  /**
   * The sender already removed the access and Graph confirmed it (an access review applying a Deny in `$batch`):
   * the orchestration records the end without calling Graph again.
   */
  alreadyRevoked?: boolean;
}

export interface ApprovalDecision {
  approvalId: string;
  stepId: string;
  reviewResult: 'Approve' | 'Deny';
  justification: string | null;
  reviewedBy: { id: string; displayName: string | null };
  reviewedDateTime: string;
}

/**
 * Which approval a request needs: the role's activation approval (its stages, approvers, escalation), or — for a
 * principal's extend or renew of an assignment — the group's admins: one stage, decided by the group's owners,
 * open until `expiresDateTime`.
 */
export type ApprovalPolicy = { kind: 'activation' } | { kind: 'admins'; expiresDateTime: string };
