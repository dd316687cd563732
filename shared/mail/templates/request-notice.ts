/**
 * Tells a requester (and admins) what became of a request: active, extended, renewed, ended, denied, timed out,
 * canceled, failed.
 */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph } from '../parts';

export interface RequestNoticeParams {
  event:
    | 'Activated'
    | 'Assigned'
    | 'Extended'
    | 'Renewed'
    | 'Ended'
    | 'Denied'
    | 'TimedOut'
    | 'Canceled'
    | 'Failed';
  principalName: string;
  /** The access in words: "member of Finance", "the Helpdesk Administrator role" (../../access/describe-access). */
  access: string;
  /** What the access is, as rows (Group and Role; or Role and Scope). */
  accessFacts: [string, string][];
  kind: 'assignment' | 'eligibility';
  startDateTime: string;
  endDateTime: string | null;
  reason: string | null;
  requestId: string;
}

const HEADLINES: Record<RequestNoticeParams['event'], (p: RequestNoticeParams) => string> = {
  Activated: (p) => `${capitalized(p.access)} is active for ${p.principalName}`,
  Assigned: (p) =>
    `${p.principalName} is now ${p.kind === 'eligibility' ? 'eligible for' : 'assigned'} ${p.access}`,
  Extended: (p) => `${capitalized(p.access)} is extended for ${p.principalName}`,
  Renewed: (p) => `${capitalized(p.access)} is renewed for ${p.principalName}`,
  Ended: (p) => `${capitalized(p.access)} has ended for ${p.principalName}`,
  Denied: (p) => `The request for ${p.access} was denied`,
  TimedOut: (p) => `The request for ${p.access} expired: nobody decided in time`,
  Canceled: (p) => `The request for ${p.access} was canceled`,
  Failed: (p) => `The request for ${p.access} failed`,
};

export const requestNotice = defineTemplate((p: RequestNoticeParams) => ({
  subject: HEADLINES[p.event](p),
  body: [
    heading(HEADLINES[p.event](p)),
    facts([
      ['Principal', p.principalName],
      ...p.accessFacts,
      ['From', p.startDateTime],
      ['Until', p.endDateTime ?? 'permanent'],
      ['Reason', p.reason ?? undefined],
      ['Request', p.requestId],
    ]),
    paragraph('pimflow sent this notice because of the notification settings of this role.'),
  ],
}));

/** "the Helpdesk Administrator role is active" starts a sentence: "The ...". Group phrases start with the role. */
function capitalized(phrase: string): string {
  return phrase.startsWith('the ') ? `The ${phrase.slice(4)}` : phrase;
}
