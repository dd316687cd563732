/** To the approvers: the request they were asked to decide was canceled; their links no longer work. */
import type { ResourceType } from '../../access/resource';
import { defineTemplate } from '../layout';
import { facts, heading, paragraph, strong } from '../parts';
import { approvalWindow, accessWords } from './approval-format';

export interface ApprovalCanceledParams {
  requesterName: string;
  /** The group's name, or the directory role's. */
  groupName: string;
  accessId: string;
  /** Absent: a group. */
  resourceType?: ResourceType;
  startDateTime: string;
  endDateTime: string | null;
  requestId: string;
}

export const approvalCanceled = defineTemplate((p: ApprovalCanceledParams) => {
  const w = accessWords(p);
  return {
    subject: `Canceled: ${p.requesterName}'s request for ${w.phrase}`,
    body: [
      heading('Request canceled'),
      paragraph(
        strong(p.requesterName),
        `'s request for ${w.lead}`,
        strong(p.groupName),
        `${w.trail} was canceled.`,
      ),
      facts([
        ['Requested by', p.requesterName],
        ...w.facts,
        ['When', approvalWindow(p.startDateTime, p.endDateTime)],
        ['Request', p.requestId],
      ]),
      paragraph('There is nothing left to decide: the approval links for it no longer work.'),
    ],
    footerNote: `You get this message because you are an approver for ${w.phrase}.`,
  };
});
