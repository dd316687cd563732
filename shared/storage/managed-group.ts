/** A group brought under management: pimflow governs access to it. One document per group. */
import { z } from 'zod';

export const groupRoleSchema = z.enum(['member', 'owner']);
export type GroupRole = z.infer<typeof groupRoleSchema>;

export const managedGroupSettingsSchema = z.object({
  /** The roles of the group pimflow manages; each has its own role settings (their own documents). */
  roles: z.array(groupRoleSchema).min(1),
});

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
  })
  .refine((group) => group.id === group.groupId, { message: 'id must equal groupId', path: ['id'] });

export type ManagedGroup = z.infer<typeof managedGroupSchema>;
