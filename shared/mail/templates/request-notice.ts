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
  groupName: string;
  accessId: string;
  kind: 'assignment' | 'eligibility';
  startDateTime: string;
  endDateTime: string | null;
  reason: string | null;
  requestId: string;
}

const HEADLINES: Record<RequestNoticeParams['event'], (p: RequestNoticeParams) => string> = {
  Activated: (p) => `${p.accessId} of ${p.groupName} is active for ${p.principalName}`,
  Assigned: (p) =>
    `${p.principalName} is now ${p.kind === 'eligibility' ? 'eligible for' : 'assigned'} ${p.accessId} of ${p.groupName}`,
  Extended: (p) => `${p.accessId} of ${p.groupName} is extended for ${p.principalName}`,
  Renewed: (p) => `${p.accessId} of ${p.groupName} is renewed for ${p.principalName}`,
  Ended: (p) => `${p.accessId} of ${p.groupName} has ended for ${p.principalName}`,
  Denied: (p) => `The request for ${p.accessId} of ${p.groupName} was denied`,
  TimedOut: (p) => `The request for ${p.accessId} of ${p.groupName} expired: nobody decided in time`,
  Canceled: (p) => `The request for ${p.accessId} of ${p.groupName} was canceled`,
  Failed: (p) => `The request for ${p.accessId} of ${p.groupName} failed`,
};

export const requestNotice = defineTemplate((p: RequestNoticeParams) => ({
  subject: HEADLINES[p.event](p),
  body: [
    heading(HEADLINES[p.event](p)),
    facts([
      ['Principal', p.principalName],
      ['Group', p.groupName],
      ['Role', p.accessId],
      ['From', p.startDateTime],
      ['Until', p.endDateTime ?? 'permanent'],
      ['Reason', p.reason ?? undefined],
      ['Request', p.requestId],
    ]),
    paragraph('pimflow sent this notice because of the notification settings of this role.'),
  ],
}));
