/**
 * A Microsoft Entra directory role brought under management: pimflow governs who holds it (activations, assignments,
 * reviews, drift). One document per role definition, like a managed group; its role settings are its policy.
 */
import { z } from 'zod';
import { directoryScopeSchema } from '../../access/resource';

/** Who held the role when it came under management: the baseline drift detection starts from. */
export const roleHolderSchema = z.object({
  principalId: z.string().min(1),
  type: z.enum(['user', 'group', 'servicePrincipal', 'other']),
  displayName: z.string().nullable(),
  directoryScopeId: directoryScopeSchema,
});
export type RoleHolder = z.infer<typeof roleHolderSchema>;

export const managedRoleSchema = z
  .object({
    /** The role definition's id again (the document id and partition key). */
    id: z.guid(),
    /** The directory role definition (the template id of a built-in role). */
    roleDefinitionId: z.guid(),
    displayName: z.string().min(1).max(256),
    /** ISO 8601, UTC. */
    managedSince: z.iso.datetime(),
    /** Object id of the administrator (or app) that brought the role under management. */
    managedBy: z.guid(),
    settings: z.object({
      /**
       * Whether the drift check removes role assignments made outside pimflow (audited; never the last Global
       * Administrator or Privileged Role Administrator). Absent means false: drift is only reported.
       */
      removeAssignmentsMadeOutsidePim: z.boolean().optional(),
    }),
    /** The role's assignments (any scope) when it came under management. */
    baselineAssignments: z.array(roleHolderSchema),
    baselineTakenAt: z.iso.datetime(),
  })
  .refine((role) => role.id === role.roleDefinitionId, {
    message: 'id must equal roleDefinitionId',
    path: ['id'],
  });
export type ManagedRole = z.infer<typeof managedRoleSchema>;

/** Built-in roles PIM treats specially (template ids): never left without an active holder. */
export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const PRIVILEGED_ROLE_ADMINISTRATOR = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
export const LAST_HOLDER_PROTECTED_ROLES: readonly string[] = [
  GLOBAL_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
];
