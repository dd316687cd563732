/**
 * To one approver: someone asks for access that needs their approval. The button opens the confirmation page
 * (GET never decides); the link in it is the approver's own, expires with the step, and acts once.
 */
import { defineTemplate } from '../layout';
import { button, facts, heading, paragraph, quote, strong } from '../parts';
import { approvalWindow, formatUtc } from './approval-format';

export interface ApprovalRequestParams {
  approverName: string | null;
  requesterName: string;
  groupName: string;
  accessId: string;
  justification: string | null;
  ticketNumber: string | null;
  ticketSystem: string | null;
  startDateTime: string;
  endDateTime: string | null;
  /** When the approver's chance to decide ends. */
  expiresDateTime: string;
  isApproverJustificationRequired: boolean;
  /** The approver's own link to the confirmation page. */
  reviewUrl: string;
  requestId: string;
}

export const approvalRequest = defineTemplate((p: ApprovalRequestParams) => ({
  subject: `Approval needed: ${p.requesterName} requests ${p.accessId} of ${p.groupName}`,
  preheader: `Decide by ${formatUtc(p.expiresDateTime)}`,
  body: [
    heading('Approval needed'),
    paragraph(p.approverName ? `Hello ${p.approverName},` : 'Hello,'),
    paragraph(strong(p.requesterName), ` requests ${p.accessId} of `, strong(p.groupName), '.'),
    ...(p.justification ? [paragraph('Their justification:'), quote(p.justification)] : []),
    facts([
      ['Requested by', p.requesterName],
      ['Group', p.groupName],
      ['Role', p.accessId],
      ['When', approvalWindow(p.startDateTime, p.endDateTime)],
      ['Ticket', ticket(p.ticketNumber, p.ticketSystem)],
      ['Decide by', formatUtc(p.expiresDateTime)],
      ['Request', p.requestId],
    ]),
    button('Review the request', p.reviewUrl),
    paragraph(
      'The button opens a page that shows the request with Approve and Deny; nothing is decided until you choose. ',
      p.isApproverJustificationRequired ? 'You will be asked to give a reason. ' : '',
      'The link is yours alone: it works once, and only until the time above. The first approver to decide settles the request.',
    ),
  ],
  footerNote: `You get this message because you are an approver for ${p.accessId} of ${p.groupName}.`,
}));

function ticket(number: string | null, system: string | null): string | undefined {
  if (!number && !system) return undefined;
  return [number, system ? `(${system})` : null].filter(Boolean).join(' ');
}
