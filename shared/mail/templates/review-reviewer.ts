/**
 * To one reviewer of an access review instance: at its start ("please review"), and as a reminder (at the midpoint,
 * or when an admin asks) while they still have items to decide. Shows the series' description for reviewers (its
 * first 256 characters), how many items are theirs, the deadline, and their own link to the review page (which
 * shows the items; nothing is decided until they choose). A review of a directory role names the role, as Entra's
 * mails do: "Review access to the Application Administrator role".
 */
import { defineTemplate } from '../layout';
import { button, facts, heading, paragraph, quote, strong } from '../parts';
import { formatUtc } from './approval-format';

export interface ReviewReviewerParams {
  kind: 'start' | 'reminder';
  reviewerName: string | null;
  reviewName: string;
  groupName: string;
  accessId: string;
  /** Set for a review of a Microsoft Entra directory role: its name, and its scope's below the tenant. */
  directoryRole?: DirectoryRoleNames | null;
  descriptionForReviewers: string | null;
  /** Start: the items they review; reminder: the items they still have to decide. */
  itemCount: number;
  endDateTime: string;
  reviewUrl: string;
  instanceId: string;
}

export interface DirectoryRoleNames {
  roleName: string;
  /** The administrative unit's name; null for the whole directory. */
  unitName: string | null;
}

/** "the Application Administrator role" (" in Finance Department" below the tenant). */
export function roleTitle(r: DirectoryRoleNames): string {
  return `the ${r.roleName} role${r.unitName ? ` in ${r.unitName}` : ''}`;
}

/** Mails show the first 256 characters of the description, as Entra's do. */
export const REVIEWER_DESCRIPTION_LIMIT = 256;

export function shortDescription(text: string | null): string | null {
  if (!text?.trim()) return null;
  const t = text.trim();
  return t.length <= REVIEWER_DESCRIPTION_LIMIT ? t : `${t.slice(0, REVIEWER_DESCRIPTION_LIMIT - 1)}…`;
}

export const reviewReviewer = defineTemplate((p: ReviewReviewerParams) => {
  const items = `${p.itemCount} ${p.itemCount === 1 ? 'item' : 'items'}`;
  const role = p.directoryRole;
  const reviewed = role ? roleTitle(role) : `${p.groupName} (${p.accessId})`;
  const headline =
    p.kind === 'start'
      ? `${role ? 'Review' : 'Please review'} access to ${reviewed}`
      : `Reminder: review access to ${reviewed}`;
  const description = shortDescription(p.descriptionForReviewers);
  return {
    subject: `${headline}: ${p.reviewName}`,
    preheader: `${items} to review by ${formatUtc(p.endDateTime)}`,
    body: [
      heading(headline),
      paragraph(p.reviewerName ? `Hello ${p.reviewerName},` : 'Hello,'),
      paragraph(
        p.kind === 'start'
          ? 'You are asked to review who should keep access in the access review '
          : 'You still have access to review in ',
        strong(p.reviewName),
        p.kind === 'start' ? `: ${items}.` : `: ${items} not yet decided.`,
      ),
      ...(description ? [quote(description)] : []),
      facts([
        ['Review', p.reviewName],
        ...(role
          ? ([
              ['Role', role.roleName],
              ['Scope', role.unitName ?? 'Directory'],
            ] as const)
          : ([
              ['Group', p.groupName],
              ['Role', p.accessId],
            ] as const)),
        [p.kind === 'start' ? 'Items to review' : 'Items left', String(p.itemCount)],
        ['Review by', formatUtc(p.endDateTime)],
      ]),
      button('Open your review', p.reviewUrl),
      paragraph(
        'The button opens your review page: for each principal choose Approve, Deny or Don’t know. Nothing is decided until you choose. The link is yours alone and works until the review ends.',
      ),
    ],
    footerNote: `You get this message because you are a reviewer in the access review ${p.reviewName} (${p.instanceId}).`,
  };
});
