/**
 * The activities of an access review instance's orchestration: load it, snapshot its items a page at a time, mark it
 * InProgress, mail its reviewers (at the start; reminders at the midpoint only to those with items left), close it
 * (at the end or when stopped), give items nobody decided the default decision, and tell the admins. Each is
 * idempotent: status changes are ETag-guarded and conditional, items have derived ids, audit records derived ids, and
 * every mail an ACS operation id from what it is about. They read and write Cosmos themselves and return counts and
 * cursors, so the orchestration's history stays short however many items the instance has.
 */
import { SYSTEM_ACTOR } from '../audit/domain/audit-entry';
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { reviewCompleted } from '../mail/templates/review-completed';
import { reviewReviewer } from '../mail/templates/review-reviewer';
import type { PimStore } from '../requests/adapters/pim-store';
import { NotFoundError } from '../storage/errors';
import type {
  InstanceRef,
  LoadedInstance,
  MailReviewersInput,
  MailReviewersResult,
  StopPayload,
} from './instance-activity-names';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewDefinition } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import { reviewPageUrl } from './http/review-link';
import type { ReviewStore } from './adapters/review-store';
import { inParallel } from './reviewers';
import { snapshotPage, type SnapshotPageResult } from './snapshot';

export interface InstanceActivityDeps {
  store: PimStore;
  reviews: ReviewStore;
  directory: Directory;
  mailer: Mailer;
  audit: AuditWriter;
  clock: Clock;
  settings: {
    PUBLIC_BASE_URL: string;
    APPROVAL_LINK_SIGNING_KEY: string;
    ADMIN_NOTIFICATION_RECIPIENTS: readonly string[];
  };
}

/** Who took a default decision: pimflow itself, as Entra's "AAD Access Reviews". */
export const DEFAULT_DECIDER = {
  id: '00000000-0000-0000-0000-000000000000',
  displayName: 'pimflow (default decision)',
  userPrincipalName: null,
};

export const REVIEWER_MAIL_CHUNK = 200;
const DEFAULT_DECISION_PAGE = 200;

export interface DecisionCounts {
  total: number;
  approved: number;
  denied: number;
  dontKnow: number;
  notReviewed: number;
  defaulted: number;
}

export function createInstanceActivities(d: InstanceActivityDeps) {
  const load = async (ref: InstanceRef) => {
    const [definition, instance] = await Promise.all([
      d.reviews.definitions.find(ref.definitionId, ref.definitionId),
      d.reviews.instances.find(ref.instanceId, ref.definitionId),
    ]);
    return { definition, instance };
  };

  const must = async (
    ref: InstanceRef,
  ): Promise<{ definition: ReviewDefinition; instance: ReviewInstance }> => {
    const { definition, instance } = await load(ref);
    if (!definition || !instance)
      throw new NotFoundError({ container: 'accessReviewInstances', id: ref.instanceId });
    return { definition, instance };
  };

  const audit = (
    instance: ReviewInstance,
    suffix: string,
    name: string,
    details: Record<string, string | null>,
  ) =>
    d.audit.record({
      id: `review-instance:${instance.id}:${suffix}`,
      activityDateTime: d.clock.now(),
      activityDisplayName: name,
      category: 'AccessReview',
      operationType: 'Update',
      result: 'success',
      initiatedBy: SYSTEM_ACTOR,
      targetResources: [{ id: instance.groupId, displayName: instance.groupDisplayName, type: 'Group' }],
      groupId: instance.groupId,
      correlationId: instance.id,
      details: { definitionId: instance.definitionId, instanceId: instance.id, ...details },
    });

  return {
    /** Where the instance stands; `found: false` when it (or its definition) was deleted. */
    async loadInstance(ref: InstanceRef): Promise<LoadedInstance> {
      const { definition, instance } = await load(ref);
      if (!definition || !instance) return { found: false };
      return {
        found: true,
        status: instance.status,
        startDateTime: instance.startDateTime,
        endDateTime: instance.endDateTime,
        stopped: instance.stoppedBy !== null,
      };
    },

    /** One page of the snapshot (see snapshot.ts); nothing once the instance has started. */
    async snapshotPage(ref: InstanceRef & { cursor: string | null }): Promise<SnapshotPageResult> {
      const { definition, instance } = await must(ref);
      if (instance.status !== 'NotStarted') return { written: 0, skipped: 0, cursor: null };
      return snapshotPage(d, definition, instance, ref.cursor);
    },

    /** NotStarted → InProgress, once the snapshot is complete. */
    async beginInstance(ref: InstanceRef): Promise<{ status: string }> {
      const { document, changed } = await d.reviews.instances.update(ref.instanceId, ref.definitionId, (i) =>
        i.status === 'NotStarted' ? { ...i, status: 'InProgress' } : undefined,
      );
      if (changed) {
        const counts = await countDecisions(d.reviews, ref.instanceId);
        await audit(document, 'started', 'Access review started', { items: String(counts.total) });
      }
      return { status: document.status };
    },

    /**
     * Mails a chunk of the instance's reviewers (in id order, after `after`): at the start everyone with items
     * (when mailNotificationsEnabled), as a reminder those with items not yet decided (when
     * reminderNotificationsEnabled, or forced by an admin). Records them as contacted.
     */
    async mailReviewers(a: MailReviewersInput): Promise<MailReviewersResult> {
      const { definition, instance } = await must(a);
      const settings = definition.settings;
      if (a.kind === 'start' && !settings.mailNotificationsEnabled) return { mailed: 0, after: null };
      if (a.kind === 'reminder') {
        if (!a.force && !settings.reminderNotificationsEnabled) return { mailed: 0, after: null };
        if (instance.status !== 'InProgress' || instance.stoppedBy) return { mailed: 0, after: null };
      }
      const counts = await reviewerCounts(d.reviews, instance.id, a.kind === 'reminder');
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
        const reviewUrl = await reviewPageUrl(
          d.settings,
          { instanceId: instance.id, reviewerId, expiresAt: new Date(instance.endDateTime) },
          now,
        );
        await d.mailer.send({
          to: [address],
          idempotencyKey:
            a.kind === 'start'
              ? mailIdFor('review-start', instance.id, reviewerId)
              : mailIdFor('review-reminder', instance.id, a.round ?? 'midpoint', reviewerId),
          ...reviewReviewer({
            kind: a.kind,
            reviewerName: user.displayName,
            reviewName: definition.displayName,
            groupName: instance.groupDisplayName ?? instance.groupId,
            accessId: instance.accessId,
            descriptionForReviewers: definition.descriptionForReviewers,
            itemCount: counts.get(reviewerId) ?? 0,
            endDateTime: instance.endDateTime,
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
    },

    /** InProgress → Completed (at the end, or stopped: who stopped it is kept). Final. */
    async closeInstance(
      a: InstanceRef & { stoppedBy: StopPayload['by'] | null },
    ): Promise<{ status: string }> {
      const now = d.clock.now().toISOString();
      const { document, changed } = await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
        i.status === 'InProgress' || i.status === 'NotStarted'
          ? {
              ...i,
              status: 'Completed',
              completedDateTime: now,
              stoppedBy: i.stoppedBy ?? a.stoppedBy,
            }
          : undefined,
      );
      if (changed)
        await audit(
          document,
          'completed',
          document.stoppedBy ? 'Access review stopped' : 'Access review completed',
          { stoppedBy: document.stoppedBy?.id ?? null },
        );
      return { status: document.status };
    },

    /**
     * One page of default decisions for items nobody decided, when the series says so: Approve, Deny, or the item's
     * recommendation (items without one stay NotReviewed). Returns whether more may be left.
     */
    async applyDefaultDecisions(ref: InstanceRef): Promise<{ updated: number; more: boolean }> {
      const { definition, instance } = await must(ref);
      const s = definition.settings;
      if (!s.defaultDecisionEnabled || instance.status !== 'Completed') return { updated: 0, more: false };
      const page = await d.reviews.decisions.queryPage(
        s.defaultDecision === 'Recommendation'
          ? "SELECT * FROM c WHERE c.instanceId = @i AND c.decision = 'NotReviewed' AND c.recommendation != 'NoInfoAvailable'"
          : "SELECT * FROM c WHERE c.instanceId = @i AND c.decision = 'NotReviewed'",
        { '@i': instance.id },
        { partitionKey: instance.id, pageSize: DEFAULT_DECISION_PAGE },
      );
      const at = instance.completedDateTime ?? d.clock.now().toISOString();
      let updated = 0;
      await inParallel(page.items, 10, async (item) => {
        const decision = defaultFor(s.defaultDecision, item);
        if (!decision) return;
        const r = await d.reviews.decisions.update(item.id, item.instanceId, (c) =>
          c.decision === 'NotReviewed'
            ? {
                ...c,
                decision,
                justification: `Default decision (${s.defaultDecision}): not reviewed by the end of the review`,
                reviewedBy: DEFAULT_DECIDER,
                reviewedDateTime: at,
              }
            : undefined,
        );
        if (r.changed) updated++;
      });
      return { updated, more: page.items.length > 0 };
    },

    /** Mails the admins (when mailNotificationsEnabled) and the additional recipients the counts; audited. */
    async notifyCompletion(ref: InstanceRef): Promise<{ autoApply: boolean; counts: DecisionCounts }> {
      const { definition, instance } = await must(ref);
      const counts = await countDecisions(d.reviews, instance.id);
      const to = new Set<string>(
        definition.settings.mailNotificationsEnabled ? d.settings.ADMIN_NOTIFICATION_RECIPIENTS : [],
      );
      for (const address of await additionalRecipients(d.directory, definition)) to.add(address);
      if (to.size > 0) {
        let stoppedBy: string | null = null;
        if (instance.stoppedBy) stoppedBy = instance.stoppedBy.displayName ?? instance.stoppedBy.id;
        await d.mailer.send({
          to: [...to],
          idempotencyKey: mailIdFor('review-completed', instance.id),
          ...reviewCompleted({
            reviewName: definition.displayName,
            groupName: instance.groupDisplayName ?? instance.groupId,
            accessId: instance.accessId,
            completedDateTime: instance.completedDateTime ?? d.clock.now().toISOString(),
            stoppedBy,
            counts,
            defaulted: counts.defaulted,
            autoApply: definition.settings.autoApplyDecisionsEnabled,
            definitionId: definition.id,
            instanceId: instance.id,
          }),
        });
      }
      await audit(instance, 'results', 'Access review results', {
        approved: String(counts.approved),
        denied: String(counts.denied),
        dontKnow: String(counts.dontKnow),
        notReviewed: String(counts.notReviewed),
        defaulted: String(counts.defaulted),
        recipients: [...to].join(','),
      });
      return { autoApply: definition.settings.autoApplyDecisionsEnabled, counts };
    },
  };
}

export type InstanceActivities = ReturnType<typeof createInstanceActivities>;

function defaultFor(
  setting: ReviewDefinition['settings']['defaultDecision'],
  item: ReviewDecision,
): 'Approve' | 'Deny' | undefined {
  if (setting === 'Approve' || setting === 'Deny') return setting;
  return item.recommendation === 'NoInfoAvailable' ? undefined : item.recommendation;
}

/** Reads every item of an instance, a page at a time. */
export async function forEachDecision(
  reviews: ReviewStore,
  instanceId: string,
  visit: (item: ReviewDecision) => void,
  filter: { decision?: ReviewDecision['decision']; reviewerId?: string } = {},
): Promise<void> {
  let token: string | undefined;
  do {
    const page = await reviews.listDecisions({
      instanceId,
      ...filter,
      pageSize: 1000,
      continuationToken: token,
    });
    page.items.forEach(visit);
    token = page.continuationToken;
  } while (token);
}

/** Items per reviewer: all of them, or only those not yet decided. */
export async function reviewerCounts(
  reviews: ReviewStore,
  instanceId: string,
  pendingOnly: boolean,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await forEachDecision(
    reviews,
    instanceId,
    (item) => {
      for (const id of item.reviewerIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    },
    pendingOnly ? { decision: 'NotReviewed' } : {},
  );
  return counts;
}

export async function countDecisions(reviews: ReviewStore, instanceId: string): Promise<DecisionCounts> {
  const c: DecisionCounts = { total: 0, approved: 0, denied: 0, dontKnow: 0, notReviewed: 0, defaulted: 0 };
  await forEachDecision(reviews, instanceId, (item) => {
    c.total++;
    if (item.decision === 'Approve') c.approved++;
    else if (item.decision === 'Deny') c.denied++;
    else if (item.decision === 'DontKnow') c.dontKnow++;
    else c.notReviewed++;
    if (item.reviewedBy?.id === DEFAULT_DECIDER.id) c.defaulted++;
  });
  return c;
}

const USER_QUERY = /^\/(?:v1\.0\/)?users\/([0-9a-fA-F-]{36})$/;

/** The series' additional recipients: `/users/{id}` scopes (their mail) or e-mail addresses. */
async function additionalRecipients(directory: Directory, definition: ReviewDefinition): Promise<string[]> {
  const addresses: string[] = [];
  const ids: string[] = [];
  for (const r of definition.additionalNotificationRecipients) {
    const scope = r.notificationRecipientScope;
    if (scope.emailAddress) addresses.push(scope.emailAddress);
    const m = scope.query ? USER_QUERY.exec(scope.query) : null;
    if (m?.[1]) ids.push(m[1].toLowerCase());
  }
  if (ids.length > 0) {
    const users = await directory.getUsers(ids);
    for (const id of ids) {
      const u = users[id];
      const address = u?.mail ?? u?.userPrincipalName;
      if (address) addresses.push(address);
    }
  }
  return addresses;
}
