/** The body of POST assignmentScheduleRequests / eligibilityScheduleRequests, as Graph takes it. */
import { z } from 'zod';
import { accessIdSchema } from '../../policies/domain/role-settings';
import { requestActionSchema, scheduleInfoSchema, ticketInfoSchema } from './schedule-request';

export const requestBodySchema = z.strictObject({
  action: requestActionSchema,
  accessId: accessIdSchema,
  groupId: z.guid(),
  principalId: z.guid(),
  justification: z.string().max(500).nullable().optional(),
  ticketInfo: ticketInfoSchema.nullable().optional(),
  scheduleInfo: scheduleInfoSchema.optional(),
  isValidationOnly: z.boolean().optional(),
  targetScheduleId: z.string().nullable().optional(),
});
export type RequestBody = z.infer<typeof requestBodySchema>;

/** Which Graph resource a request is about: an active assignment or an eligibility. */
export type RequestKind = 'assignment' | 'eligibility';
