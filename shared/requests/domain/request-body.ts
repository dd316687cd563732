/** The body of POST assignmentScheduleRequests / eligibilityScheduleRequests, as Graph takes it. */
import { z } from 'zod';
import { accessIdSchema } from '../../policies/domain/role-settings';
import type { ResourceType } from '../../access/resource';
import { requestActionSchema, scheduleInfoSchema, ticketInfoSchema } from './schedule-request';
import { storedScheduleId } from './schedule-id';

export const requestBodySchema = z.strictObject({
  action: requestActionSchema,
  accessId: accessIdSchema,
  groupId: z.guid(),
  principalId: z.guid(),
  justification: z.string().max(500).nullable().optional(),
  ticketInfo: ticketInfoSchema.nullable().optional(),
  scheduleInfo: scheduleInfoSchema.optional(),
  isValidationOnly: z.boolean().optional(),
  // Graph's `{groupId}_{accessId}_{guid}` or the bare guid.
  targetScheduleId: z.string().transform(storedScheduleId).nullable().optional(),
});
/**
 * A request as the core takes it, whichever API it came through: the group routes' body as is, or an Entra role
 * request mapped onto it (`groupId` the directory scope, `accessId` the role definition; see ../../access/resource.ts).
 */
export type RequestBody = Omit<z.infer<typeof requestBodySchema>, 'groupId' | 'accessId'> & {
  resourceType?: ResourceType;
  groupId: string;
  accessId: string;
  /** The request's id when the client names it (ARM's PUT `{name}`); a new GUID otherwise. */
  requestId?: string;
};

/** Which Graph resource a request is about: an active assignment or an eligibility. */
export type RequestKind = 'assignment' | 'eligibility';
