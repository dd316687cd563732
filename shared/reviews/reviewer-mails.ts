/**
 * Mailing an instance's reviewers, a chunk at a time in reviewer-id order: at the start everyone with items (when
 * mailNotificationsEnabled), as a reminder those with items not yet decided (when reminderNotificationsEnabled, or
 * forced by an admin). Each mail carries the reviewer's signed page link (a port: signing is the edge's) and an ACS
 * operation id from what it is about, so a retried chunk mails nobody twice. Mailed reviewers are recorded as
 * contacted.
 */
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { reviewReviewer } from '../mail/templates/review-reviewer';
import type { MailReviewersInput, MailReviewersResult } from './contract';
import { reviewerCounts } from './decision-counts';
import type { ReviewDefinition } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import { directoryRoleNames } from './domain/reviewed-role';
import type { ReviewStore } from './adapters/review-store';
import { inParallel } from './parallel';
import { currentStage, findStage } from './domain/review-stages';

export const REVIEWER_MAIL_CHUNK = 200;

/** The signed link to a reviewer's page of one instance, valid until it ends (issued at `now`). */
export type ReviewPageUrl = (
  claims: { instanceId: string; reviewerId: string; expiresAt: Date },
  now: Date,
) => Promise<string>;

export interface ReviewerMailDeps {
  reviews: ReviewStore;
  directory: Directory;
  mailer: Mailer;
  clock: Clock;
  reviewPageUrl: ReviewPageUrl;
}

/** Mails one chunk of the instance's reviewers (after `a.after`); `after` for the next chunk, null when done. */
export async function mailReviewers(
  d: ReviewerMailDeps,
  definition: ReviewDefinition,
  instance: ReviewInstance,
  a: MailReviewersInput,
): Promise<MailReviewersResult> {
  const settings = definition.settings;
  if (a.kind === 'start' && !settings.mailNotificationsEnabled) return { mailed: 0, after: null };
  if (a.kind === 'reminder') {
    if (!a.force && !settings.reminderNotificationsEnabled) return { mailed: 0, after: null };
    if (instance.status !== 'InProgress' || instance.stoppedBy) return { mailed: 0, after: null };
  }
  // Multi-stage reviews mail one stage's reviewers (the one in progress unless named), counting its items.
  const stage = instance.stages
    ? a.stageId
      ? findStage(instance, a.stageId)
      : currentStage(instance)
    : undefined;
  if (instance.stages && stage?.status !== 'InProgress') return { mailed: 0, after: null };
  const counts = await reviewerCounts(d.reviews, instance.id, a.kind === 'reminder', stage?.stageId);
  const all = [...counts.keys()]
    .filter((id) => !a.onlyNew || !instance.contactedReviewerIds.includes(id))
    .sort();
  const chunk = all.filter((id) => a.after === null || id > a.after).slice(0, REVIEWER_MAIL_CHUNK);
  if (chunk.length === 0) return { mailed: 0, after: null };
  const users = await d.directory.getUsers(chunk);
  const now = d.clock.now();
  const contacted: string[] = [];
  await inParallel(chunk, 8, async (reviewerId) => {
    const user = users[reviewerId];
    const address = user?.mail ?? user?.userPrincipalName;
    if (!user || !address || !user.accountEnabled) return;
    const reviewUrl = await d.reviewPageUrl(
      { instanceId: instance.id, reviewerId, expiresAt: new Date(instance.endDateTime) },
      now,
    );
    await d.mailer.send({
      to: [address],
      idempotencyKey:
        a.kind === 'start'
          ? mailIdFor('review-start', instance.id, ...(stage ? [stage.id] : []), reviewerId)
          : mailIdFor(
              'review-reminder',
              instance.id,
              ...(stage ? [stage.id] : []),
              a.round ?? 'midpoint',
              reviewerId,
            ),
      ...reviewReviewer({
        kind: a.kind,
        reviewerName: user.displayName,
        reviewName: definition.displayName,
        groupName: instance.groupDisplayName ?? instance.groupId,
        accessId: instance.accessId,
        directoryRole: directoryRoleNames(instance),
        descriptionForReviewers: definition.descriptionForReviewers,
        itemCount: counts.get(reviewerId) ?? 0,
        endDateTime: stage?.endDateTime ?? instance.endDateTime,
        reviewUrl,
        instanceId: instance.id,
      }),
    });
    contacted.push(reviewerId);
  });
  if (contacted.length > 0) {
    await d.reviews.instances.update(instance.id, instance.definitionId, (i) => {
      const missing = contacted.filter((id) => !i.contactedReviewerIds.includes(id));
      return missing.length
        ? { ...i, contactedReviewerIds: [...i.contactedReviewerIds, ...missing] }
        : undefined;
    });
  }
  const last = chunk[chunk.length - 1] as string;
  return { mailed: contacted.length, after: last === all[all.length - 1] ? null : last };
}
