/** To the requester and to every approver: a request was approved or denied, by whom, and why. */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph, quote, strong } from '../parts';
import { approvalWindow, formatUtc } from './approval-format';

export interface ApprovalDecidedParams {
  /** Who this copy is for: the requester is addressed directly. */
  audience: 'requester' | 'approvers';
  reviewResult: 'Approve' | 'Deny';
  reviewerName: string;
  requesterName: string;
  groupName: string;
  accessId: string;
  justification: string | null;
  reviewedDateTime: string;
  startDateTime: string;
  endDateTime: string | null;
  requestId: string;
}

export const approvalDecided = defineTemplate((p: ApprovalDecidedParams) => {
  const verb = p.reviewResult === 'Approve' ? 'approved' : 'denied';
  const subject =
    p.audience === 'requester'
      ? `Your request for ${p.accessId} of ${p.groupName} was ${verb}`
      : `${p.requesterName}'s request for ${p.accessId} of ${p.groupName} was ${verb} by ${p.reviewerName}`;
  return {
    subject,
    body: [
      heading(p.reviewResult === 'Approve' ? 'Request approved' : 'Request denied'),
      paragraph(
        strong(p.reviewerName),
        ` ${verb} `,
        ...(p.audience === 'requester' ? ['your request'] : [strong(p.requesterName), "'s request"]),
        ` for ${p.accessId} of `,
        strong(p.groupName),
        '.',
      ),
      ...(p.justification ? [paragraph('Their reason:'), quote(p.justification)] : []),
      facts([
        ['Decision', p.reviewResult === 'Approve' ? 'Approved' : 'Denied'],
        ['By', p.reviewerName],
        ['At', formatUtc(p.reviewedDateTime)],
        ['Requested by', p.requesterName],
        ['Group', p.groupName],
        ['Role', p.accessId],
        ['When', approvalWindow(p.startDateTime, p.endDateTime)],
        ['Request', p.requestId],
      ]),
      paragraph(
        p.audience === 'requester'
          ? p.reviewResult === 'Approve'
            ? 'The access is granted at its start time; you will get another message when it is active.'
            : 'Nothing was granted.'
          : 'The request is settled: approval links for it no longer work.',
      ),
    ],
    footerNote:
      p.audience === 'requester'
        ? 'You get this message because you made this request.'
        : `You get this message because you are an approver for ${p.accessId} of ${p.groupName}.`,
  };
});
