/**
 * To one approver: someone asks for access that needs their approval (worded by the request's action: activate,
 * extend, renew). The button opens the confirmation page (GET never decides); the link in it is the approver's own,
 * expires with the step, and acts once. For a stage of a serial approval the mail says which; for an escalation it
 * says that the stage's approvers have not decided in time.
 */
import type { ResourceType } from '../../access/resource';
import { defineTemplate } from '../layout';
import { button, facts, heading, paragraph, quote, strong } from '../parts';
import { approvalWindow, formatUtc, requestAsk, accessWords } from './approval-format';

export interface ApprovalRequestParams {
  approverName: string | null;
  requesterName: string;
  /** The group's name, or the directory role's. */
  groupName: string;
  accessId: string;
  /** Absent: a group. */
  resourceType?: ResourceType;
  /** The request's action (`selfActivate`, `selfExtend`, `selfRenew`...): how the ask is worded. */
  action: string;
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
  /** `Stage 2 of 3` for a stage of a serial approval; null for a one-stage approval. */
  stage?: string | null;
  /** Set when this mail goes to an escalation approver: the stage's approvers did not decide in time. */
  escalation?: { afterMinutes: number } | null;
}

export const approvalRequest = defineTemplate((p: ApprovalRequestParams) => {
  const w = accessWords(p);
  const ask = requestAsk(p.action, w, p.endDateTime);
  const stage = p.stage ? ` (${p.stage.toLowerCase()})` : '';
  return {
    subject: `${p.escalation ? 'Escalated: approval' : 'Approval'} needed${stage}: ${p.requesterName} ${ask.before}${p.groupName}${ask.after}`,
    preheader: `Decide by ${formatUtc(p.expiresDateTime)}`,
    body: [
      heading(p.escalation ? 'Escalated: approval needed' : 'Approval needed'),
      paragraph(p.approverName ? `Hello ${p.approverName},` : 'Hello,'),
      paragraph(strong(p.requesterName), ` ${ask.before}`, strong(p.groupName), `${ask.after}.`),
      ...(p.escalation
        ? [
            paragraph(
              `Nobody decided${p.stage ? ` ${p.stage.toLowerCase()}` : ''} within ${minutes(p.escalation.afterMinutes)}, so it was escalated to you: you may decide it now, as its approvers still may.`,
            ),
          ]
        : p.stage
          ? [paragraph(`You are asked to decide ${p.stage.toLowerCase()} of its approval.`)]
          : []),
      ...(p.justification ? [paragraph('Their justification:'), quote(p.justification)] : []),
      facts([
        ['Requested by', p.requesterName],
        ...w.facts,
        ['When', approvalWindow(p.startDateTime, p.endDateTime)],
        ['Ticket', ticket(p.ticketNumber, p.ticketSystem)],
        ['Approval', p.stage ?? undefined],
        ['Decide by', formatUtc(p.expiresDateTime)],
        ['Request', p.requestId],
      ]),
      button('Review the request', p.reviewUrl),
      paragraph(
        'The button opens a page that shows the request with Approve and Deny; nothing is decided until you choose. ',
        p.isApproverJustificationRequired ? 'You will be asked to give a reason. ' : '',
        'The link is yours alone: it works once, and only until the time above. The first approver to decide settles ',
        p.stage ? 'this stage.' : 'the request.',
      ),
    ],
    footerNote: p.escalation
      ? `You get this message because you are an escalation approver for ${w.phrase}.`
      : `You get this message because you are an approver for ${w.phrase}.`,
  };
});

function ticket(number: string | null, system: string | null): string | undefined {
  if (!number && !system) return undefined;
  return [number, system ? `(${system})` : null].filter(Boolean).join(' ');
}

function minutes(total: number): string {
  if (total % 1440 === 0) return `${total / 1440} day${total === 1440 ? '' : 's'}`;
  if (total % 60 === 0) return `${total / 60} hour${total === 60 ? '' : 's'}`;
  return `${total} minutes`;
}
