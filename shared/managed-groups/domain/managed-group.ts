/** A group brought under management: pimflow governs access to it. One document per group. */
import { z } from 'zod';

export const groupRoleSchema = z.enum(['member', 'owner']);
export type GroupRole = z.infer<typeof groupRoleSchema>;

export const managedGroupSettingsSchema = z.object({
  /** The roles of the group pimflow manages; each has its own role settings (their own documents). */
  roles: z.array(groupRoleSchema).min(1),
  /**
   * Whether the drift check removes members and owners added outside pimflow (audited; never the last owner).
   * Absent means false: drift is then only reported.
   */
  removeMembersAddedOutsidePim: z.boolean().optional(),
});

/** A member or owner of the group as Graph listed it (direct, not transitive). */
export const baselinePrincipalSchema = z.object({
  id: z.string().min(1),
  type: z.enum(['user', 'group', 'servicePrincipal', 'other']),
  displayName: z.string().nullable(),
});
export type BaselinePrincipal = z.infer<typeof baselinePrincipalSchema>;

export const managedGroupSchema = z
  .object({
    /** The group's object id again: a point read needs only the id that requests already carry. */
    id: z.guid(),
    /** Entra ID object id of the group; the partition key. */
    groupId: z.guid(),
    displayName: z.string().min(1).max(256),
    /** ISO 8601, UTC. */
    managedSince: z.iso.datetime(),
    /** Object id of the administrator (or app) that brought the group under management. */
    managedBy: z.guid(),
    settings: managedGroupSettingsSchema,
    /**
     * The direct members and owners present when the group was brought under management: the baseline drift
     * detection starts from (access pimflow did not grant but found in place). Always written by
     * `POST /api/managedGroups`; absent only on documents written before the baseline existed.
     */
    baselineMembers: z.array(baselinePrincipalSchema).optional(),
    baselineOwners: z.array(baselinePrincipalSchema).optional(),
    /** ISO 8601, UTC: when the baseline was read from Graph. */
    baselineTakenAt: z.iso.datetime().optional(),
  })
  .refine((group) => group.id === group.groupId, { message: 'id must equal groupId', path: ['id'] });

export type ManagedGroup = z.infer<typeof managedGroupSchema>;
