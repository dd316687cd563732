/**
 * To the admins and the series' additional recipients when an access review instance completes (at its end, or
 * stopped): what was decided, how many items took the default decision, and whether the results are applied
 * automatically or wait for an admin's applyDecisions.
 */
import { defineTemplate } from '../layout';
import { facts, heading, paragraph, strong } from '../parts';
import { formatUtc } from './approval-format';
import { roleTitle, type DirectoryRoleNames } from './review-reviewer';

export interface ReviewCompletedParams {
  reviewName: string;
  groupName: string;
  accessId: string;
  /** Set for a review of a Microsoft Entra directory role. */
  directoryRole?: DirectoryRoleNames | null;
  completedDateTime: string;
  stoppedBy: string | null;
  counts: { total: number; approved: number; denied: number; dontKnow: number; notReviewed: number };
  /** Items decided by the default decision at completion. */
  defaulted: number;
  autoApply: boolean;
  definitionId: string;
  instanceId: string;
}

export const reviewCompleted = defineTemplate((p: ReviewCompletedParams) => ({
  subject: p.directoryRole
    ? `Access review completed: ${p.reviewName} (${roleTitle(p.directoryRole)})`
    : `Access review completed: ${p.reviewName} (${p.groupName}, ${p.accessId})`,
  preheader: `${p.counts.approved} approved, ${p.counts.denied} denied, ${p.counts.notReviewed} not reviewed`,
  body: [
    heading('Access review completed'),
    paragraph(
      'The access review ',
      strong(p.reviewName),
      ...(p.directoryRole
        ? [' of ', strong(roleTitle(p.directoryRole))]
        : [` of ${p.accessId} of `, strong(p.groupName)]),
      p.stoppedBy ? ` was stopped by ${p.stoppedBy}.` : ' has ended.',
    ),
    facts([
      ['Completed', formatUtc(p.completedDateTime)],
      ['Items', String(p.counts.total)],
      ['Approved', String(p.counts.approved)],
      ['Denied', String(p.counts.denied)],
      ['Don’t know', String(p.counts.dontKnow)],
      ['Not reviewed', String(p.counts.notReviewed)],
      ['By the default decision', p.defaulted > 0 ? String(p.defaulted) : undefined],
      ['Review', p.definitionId],
      ['Instance', p.instanceId],
    ]),
    paragraph(
      p.autoApply
        ? 'The results are being applied automatically: denied access is removed.'
        : 'Nothing has been removed yet: an admin applies the results (applyDecisions) when ready.',
    ),
  ],
  footerNote: 'You get this message because you are an admin of pimflow or a recipient named by this review.',
}));
