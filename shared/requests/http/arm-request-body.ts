/**
 * The body of PUT roleAssignmentScheduleRequests/{name} and roleEligibilityScheduleRequests/{name}, as ARM takes it
 * (api-version 2020-10-01), mapped onto the core's request: `resourceType: 'azureRole'`, `groupId` the scope from
 * the path (stored lower case), `accessId` the role definition's GUID, the action from `requestType`. Read-only
 * properties a client sends back from a GET (status, createdOn, expandedProperties, ...) are ignored, as ARM ignores
 * them; anything that would change the meaning and isn't supported (`condition`) is a 400.
 */
import { z } from 'zod';
import { normalizeAzureScope } from '../../access/resource';
import { graphEnum } from '../../graph-enum';
import type { RequestBody } from '../domain/request-body';
import { scheduleInfoSchema, ticketInfoSchema, type RequestAction } from '../domain/schedule-request';
import { lastSegment, roleDefinitionIdSchema } from './arm-path';

export const ARM_REQUEST_TYPES = [
  'AdminAssign',
  'AdminRemove',
  'AdminUpdate',
  'AdminExtend',
  'AdminRenew',
  'SelfActivate',
  'SelfDeactivate',
  'SelfExtend',
  'SelfRenew',
] as const;

const scheduleIdSchema = z
  .string()
  .max(1024)
  .nullable()
  .optional()
  .transform((id) => (id ? lastSegment(id).toLowerCase() : id));

export const armRequestPropertiesSchema = z.object({
  principalId: z.guid({ message: 'must be a principal id (a GUID)' }).transform((id) => id.toLowerCase()),
  roleDefinitionId: roleDefinitionIdSchema,
  requestType: graphEnum(ARM_REQUEST_TYPES, {
    message: `must be one of ${ARM_REQUEST_TYPES.join(', ')}`,
  }),
  justification: z.string().max(500).nullable().optional(),
  scheduleInfo: scheduleInfoSchema.partial({ expiration: true }).nullable().optional(),
  ticketInfo: ticketInfoSchema.nullable().optional(),
  targetRoleAssignmentScheduleId: scheduleIdSchema,
  targetRoleAssignmentScheduleInstanceId: scheduleIdSchema,
  targetRoleEligibilityScheduleId: scheduleIdSchema,
  targetRoleEligibilityScheduleInstanceId: scheduleIdSchema,
  linkedRoleEligibilityScheduleId: scheduleIdSchema,
  condition: z.null({ message: 'conditions on Azure role assignments are not supported' }).optional(),
  conditionVersion: z.string().nullable().optional(),
});

export const armRequestBodySchema = z.object({ properties: armRequestPropertiesSchema });
export type ArmRequestBody = z.infer<typeof armRequestBodySchema>;

const ACTIONS: Record<(typeof ARM_REQUEST_TYPES)[number], RequestAction> = {
  AdminAssign: 'adminAssign',
  AdminRemove: 'adminRemove',
  AdminUpdate: 'adminUpdate',
  AdminExtend: 'adminExtend',
  AdminRenew: 'adminRenew',
  SelfActivate: 'selfActivate',
  SelfDeactivate: 'selfDeactivate',
  SelfExtend: 'selfExtend',
  SelfRenew: 'selfRenew',
};

/** The ARM body at a scope, under the client's name for it, as the core's request. */
export function armRequestBody(body: ArmRequestBody, scope: string, name: string): RequestBody {
  const p = body.properties;
  const target =
    p.targetRoleAssignmentScheduleId ??
    p.targetRoleAssignmentScheduleInstanceId ??
    p.targetRoleEligibilityScheduleId ??
    p.targetRoleEligibilityScheduleInstanceId ??
    null;
  return {
    requestId: name.toLowerCase(),
    action: ACTIONS[p.requestType],
    resourceType: 'azureRole',
    groupId: normalizeAzureScope(scope),
    accessId: p.roleDefinitionId,
    principalId: p.principalId,
    justification: p.justification ?? null,
    ticketInfo: p.ticketInfo ?? null,
    // Without scheduleInfo the core's defaults apply (start now, no end for an assignment; the role's settings
    // then decide whether that is allowed); an extend or renew must say its new end.
    ...(p.scheduleInfo
      ? {
          scheduleInfo: {
            startDateTime: p.scheduleInfo.startDateTime ?? null,
            expiration: p.scheduleInfo.expiration ?? { type: 'noExpiration' },
          },
        }
      : {}),
    targetScheduleId: target,
  };
}
