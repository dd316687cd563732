/** To the approvers: the request they were asked to decide was canceled; their links no longer work. */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph, strong } from '../parts';
import { approvalWindow } from './approval-format';

export interface ApprovalCanceledParams {
  requesterName: string;
  groupName: string;
  accessId: string;
  startDateTime: string;
  endDateTime: string | null;
  requestId: string;
}

export const approvalCanceled = defineTemplate((p: ApprovalCanceledParams) => ({
  subject: `Canceled: ${p.requesterName}'s request for ${p.accessId} of ${p.groupName}`,
  body: [
    heading('Request canceled'),
    paragraph(
      strong(p.requesterName),
      `'s request for ${p.accessId} of `,
      strong(p.groupName),
      ' was canceled.',
    ),
    facts([
      ['Requested by', p.requesterName],
      ['Group', p.groupName],
      ['Role', p.accessId],
      ['When', approvalWindow(p.startDateTime, p.endDateTime)],
      ['Request', p.requestId],
    ]),
    paragraph('There is nothing left to decide: the approval links for it no longer work.'),
  ],
  footerNote: `You get this message because you are an approver for ${p.accessId} of ${p.groupName}.`,
}));
