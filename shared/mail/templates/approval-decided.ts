/**
 * To the requester and to every approver: a request was approved or denied, by whom, and why. For a stage of a
 * serial approval that isn't the last, an approval says the request now goes to the next stage.
 */
import type { ResourceType } from '../../access/resource';
import { defineTemplate } from '../layout';
import { facts, heading, paragraph, quote, strong } from '../parts';
import { approvalWindow, formatUtc, requestAsk, accessWords } from './approval-format';

export interface ApprovalDecidedParams {
  /** Who this copy is for: the requester is addressed directly. */
  audience: 'requester' | 'approvers';
  reviewResult: 'Approve' | 'Deny';
  reviewerName: string;
  requesterName: string;
  /** The group's name, or the directory role's. */
  groupName: string;
  accessId: string;
  /** Absent: a group. */
  resourceType?: ResourceType;
  justification: string | null;
  reviewedDateTime: string;
  startDateTime: string;
  endDateTime: string | null;
  requestId: string;
  /** The request's action (`selfActivate`, `selfExtend`, `selfRenew`...). */
  action?: string;
  /** `Stage 1 of 2` when the approval has stages; null otherwise. */
  stage?: string | null;
  /** True when this decision approved a stage that isn't the last: the request goes on to the next stage. */
  continues?: boolean;
}

export const approvalDecided = defineTemplate((p: ApprovalDecidedParams) => {
  const w = accessWords(p);
  const verb = p.reviewResult === 'Approve' ? 'approved' : 'denied';
  const at = p.stage ? ` at ${p.stage.toLowerCase()}` : '';
  const ask = p.action ? requestAsk(p.action, w, p.endDateTime) : undefined;
  const subject =
    p.audience === 'requester'
      ? `Your request for ${w.phrase} was ${verb}${at}`
      : `${p.requesterName}'s request for ${w.phrase} was ${verb}${at} by ${p.reviewerName}`;
  const outcome = p.continues
    ? p.audience === 'requester'
      ? 'The request now goes to the approvers of the next stage; you will hear when it is decided.'
      : 'This stage is settled: your approval links for it no longer work. The request now goes to the next stage.'
    : p.audience === 'requester'
      ? p.reviewResult === 'Approve'
        ? 'The access is granted at its start time; you will get another message when it is active.'
        : 'Nothing was granted.'
      : 'The request is settled: approval links for it no longer work.';
  return {
    subject,
    body: [
      heading(
        p.continues
          ? `${p.stage ?? 'Stage'} approved`
          : p.reviewResult === 'Approve'
            ? 'Request approved'
            : 'Request denied',
      ),
      paragraph(
        strong(p.reviewerName),
        ` ${verb} `,
        ...(p.audience === 'requester' ? ['your request'] : [strong(p.requesterName), "'s request"]),
        ask ? ` (${ask.before.replace(/^asks /, '')}` : ` for ${w.lead}`,
        strong(p.groupName),
        ask ? `${ask.after})${at}.` : `${w.trail}${at}.`,
      ),
      ...(p.justification ? [paragraph('Their reason:'), quote(p.justification)] : []),
      facts([
        ['Decision', p.reviewResult === 'Approve' ? 'Approved' : 'Denied'],
        ['Approval', p.stage ?? undefined],
        ['By', p.reviewerName],
        ['At', formatUtc(p.reviewedDateTime)],
        ['Requested by', p.requesterName],
        ...w.facts,
        ['When', approvalWindow(p.startDateTime, p.endDateTime)],
        ['Request', p.requestId],
      ]),
      paragraph(outcome),
    ],
    footerNote:
      p.audience === 'requester'
        ? 'You get this message because you made this request.'
        : `You get this message because you are an approver for ${w.phrase}.`,
  };
});
