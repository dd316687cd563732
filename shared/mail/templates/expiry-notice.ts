/**
 * Warns that an eligible or active assignment is about to end (14 days and 1 day before): the assignee, with how
 * to keep it (ask for an extension), or the admins, with whose assignment it is.
 */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph } from '../parts';

export interface ExpiryNoticeParams {
  audience: 'assignee' | 'admins';
  /** How long before the end this notice goes out: `P14D` or `P1D`. */
  notice: 'P14D' | 'P1D';
  principalName: string;
  /** "member assignment to Finance", or "assignment to the Helpdesk Administrator role". */
  assignment: string;
  /** What the access is, as rows (Group and Role; or Role and Scope). */
  accessFacts: [string, string][];
  /** Who can extend it: "an admin or an owner of the group", or the directory's privileged admins. */
  extenders: string;
  kind: 'assignment' | 'eligibility';
  endDateTime: string;
  scheduleId: string;
}

const WHEN = { P14D: 'in 14 days', P1D: 'tomorrow' } as const;

function what(p: ExpiryNoticeParams): string {
  return `${p.kind === 'eligibility' ? 'eligible' : 'active'} ${p.assignment}`;
}

function headline(p: ExpiryNoticeParams): string {
  return p.audience === 'assignee'
    ? `Your ${what(p)} ends ${WHEN[p.notice]}`
    : `${p.principalName}'s ${what(p)} ends ${WHEN[p.notice]}`;
}

export const expiryNotice = defineTemplate((p: ExpiryNoticeParams) => ({
  subject: headline(p),
  body: [
    heading(headline(p)),
    facts([
      ['Principal', p.principalName],
      ...p.accessFacts.map(([label, value]): [string, string] =>
        label === 'Role' && p.kind === 'eligibility' ? [label, `${value} (eligible)`] : [label, value],
      ),
      ['Ends', p.endDateTime],
      ['Schedule', p.scheduleId],
    ]),
    paragraph(
      p.audience === 'assignee'
        ? `To keep it, ask for an extension (a selfExtend request) before it ends; ${p.extenders} approves it. After it ends you can ask to renew it for 30 days.`
        : `${p.extenders.charAt(0).toUpperCase()}${p.extenders.slice(1)} can extend it (adminExtend); after it ends it can be renewed for 30 days.`,
    ),
    paragraph('pimflow sent this notice because of the notification settings of this role.'),
  ],
}));
