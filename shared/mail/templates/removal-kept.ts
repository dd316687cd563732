/**
 * Tells the admins that pimflow kept an access it was due to remove, because a rule forbids the removal: the last
 * active Global Administrator or Privileged Role Administrator, a governed subscription's last Owner. pimflow tries
 * again later; the admins can end it for good by making someone else one first.
 */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph } from '../parts';

export interface RemovalKeptParams {
  principalName: string;
  /** "the Global Administrator role". */
  access: string;
  accessFacts: [string, string][];
  reason: string;
  requestId: string;
}

export const removalKept = defineTemplate((p: RemovalKeptParams) => ({
  subject: `Kept: ${p.principalName} still holds ${p.access}`,
  body: [
    heading(`${p.principalName} still holds ${p.access}`),
    paragraph(
      'The assignment was due to end, but pimflow never removes the last active Global Administrator or Privileged Role Administrator, nor the last Owner (or User Access Administrator) of a subscription it governs. It keeps the assignment and tries again every 15 minutes: assign the role to someone else to let it end.',
    ),
    facts([['Principal', p.principalName], ...p.accessFacts, ['Reason', p.reason], ['Request', p.requestId]]),
  ],
}));
