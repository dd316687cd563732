/**
 * An audit record, shaped like Microsoft Graph's `directoryAudit` so people who read Entra's audit logs read ours:
 * who (initiatedBy), what (activityDisplayName, category, operationType, targetResources), when, result, and why
 * (additionalDetails: justification, ticket, request id...). Records are append-only.
 */
import { z } from 'zod';

export const auditCategorySchema = z.enum([
  'GroupManagement',
  'RoleManagement',
  'ResourceManagement',
  'RoleSettings',
  'Assignment',
  'Request',
  'Approval',
  'Membership',
  'Drift',
  'AccessReview',
]);
export type AuditCategory = z.infer<typeof auditCategorySchema>;

const identitySchema = z.object({
  id: z.string(),
  displayName: z.string().nullable().optional(),
  userPrincipalName: z.string().nullable().optional(),
});

export const auditEntrySchema = z.object({
  /** Deterministic where the writer can retry (e.g. `${requestId}:granted`), so a retried write can't duplicate. */
  id: z.string().min(1).max(255),
  /** Partition key: the UTC month (`2026-11`) of activityDateTime. Reads are by time range; a month is one partition. */
  month: z.string().regex(/^\d{4}-\d{2}$/),
  activityDateTime: z.iso.datetime(),
  activityDisplayName: z.string().min(1),
  category: auditCategorySchema,
  operationType: z.enum([
    'Add',
    'Update',
    'Delete',
    'Assign',
    'Unassign',
    'Request',
    'Approve',
    'Deny',
    'Cancel',
    'Expire',
    'Other',
  ]),
  result: z.enum(['success', 'failure', 'timeout']),
  resultReason: z.string().default(''),
  /** A user (by the caller's token) or the system itself (pimflow's orchestrations). */
  initiatedBy: z.object({
    user: identitySchema.nullable(),
    app: z.object({ displayName: z.string() }).nullable(),
  }),
  targetResources: z.array(
    z.object({
      id: z.string(),
      displayName: z.string().nullable().optional(),
      type: z.enum(['Group', 'Role', 'User', 'Request', 'Policy', 'Approval', 'Principal', 'AzureScope']),
    }),
  ),
  /** The group the record is about, if any: for filtering. */
  groupId: z.string().nullable(),
  /** The principal whose access the record is about, if any: for filtering. */
  principalId: z.string().nullable(),
  correlationId: z.string().nullable(),
  additionalDetails: z.array(z.object({ key: z.string(), value: z.string() })),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const SYSTEM_ACTOR: AuditEntry['initiatedBy'] = { user: null, app: { displayName: 'pimflow' } };

export function userActor(
  id: string,
  displayName?: string | null,
  userPrincipalName?: string | null,
): AuditEntry['initiatedBy'] {
  return {
    user: { id, displayName: displayName ?? null, userPrincipalName: userPrincipalName ?? null },
    app: null,
  };
}
