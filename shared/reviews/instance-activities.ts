/**
 * The activities of an access review instance's orchestration: load it, snapshot its items a page at a time, mark it
 * InProgress, mail its reviewers (at the start; reminders at the midpoint only to those with items left), close it
 * (at the end or when stopped), give items nobody decided the default decision, and tell the admins. Each is
 * idempotent: status changes are ETag-guarded and conditional, items have derived ids, audit records derived ids, and
 * every mail an ACS operation id from what it is about. They read and write Cosmos themselves and return counts and
 * cursors, so the orchestration's history stays short however many items the instance has.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { mailIdFor } from '../mail/mail-id';
import type { Mailer } from '../mail/mailer';
import { reviewCompleted } from '../mail/templates/review-completed';
import type { PimStore } from '../requests/adapters/pim-store';
import { NotFoundError } from '../storage/errors';
import { additionalRecipients } from './completion-recipients';
import type {
  AdvanceStageInput,
  AdvanceStageResult,
  StageRef,
  CloseInstanceInput,
  DefaultDecisionsResult,
  InstanceRef,
  InstanceStatusResult,
  LoadedInstance,
  MailReviewersInput,
  MailReviewersResult,
  NotifyCompletionResult,
  SnapshotPageInput,
  SnapshotPageResult,
} from './contract';
import { countDecisions } from './decision-counts';
import { instanceClosedRecord, instanceResultsRecord, instanceStartedRecord } from './domain/audit-records';
import { defaultFor, takesDefaultDecisions, withDefaultDecision } from './domain/default-decision';
import type { ReviewDefinition } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import { directoryRoleNames } from './domain/reviewed-role';
import type { ReviewStore } from './adapters/review-store';
import { mailReviewers, type ReviewPageUrl } from './reviewer-mails';
import { inParallel } from './parallel';
import { snapshotPage } from './snapshot';
import type { AzureReviewPorts } from './azure-review-ports';
import { decisionsMovingOn, movedOn } from './domain/review-stages';
import { managerLookup, reviewerIdsFor, reviewerPlan } from './reviewers';

export interface InstanceActivityDeps {
  store: PimStore;
  reviews: ReviewStore;
  directory: Directory;
  /** Reviews of Azure roles read who holds the role at the scope from ARM. */
  azureReviews?: Pick<AzureReviewPorts, 'rbac'>;
  mailer: Mailer;
  audit: AuditWriter;
  clock: Clock;
  settings: { ADMIN_NOTIFICATION_RECIPIENTS: readonly string[] };
  reviewPageUrl: ReviewPageUrl;
}

export type { ReviewPageUrl };

const DEFAULT_DECISION_PAGE = 200;
/** Items moved on per AdvanceStage call. */
const STAGE_PAGE = 200;

/** The instance's fields with stage `stageId` InProgress and its reviewers the instance's; nothing without stages. */
function startedStage(
  i: ReviewInstance,
  stageId: string | undefined,
): Partial<Pick<ReviewInstance, 'stages' | 'reviewers' | 'fallbackReviewers'>> {
  const stage = i.stages?.find((st) => st.stageId === stageId);
  if (!i.stages || !stage) return {};
  return {
    stages: i.stages.map((st) => (st.stageId === stageId ? { ...st, status: 'InProgress' as const } : st)),
    reviewers: stage.reviewers,
    fallbackReviewers: stage.fallbackReviewers,
  };
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
        ...(instance.stages
          ? {
              stages: instance.stages.map(({ stageId, startDateTime, endDateTime, status }) => ({
                stageId,
                startDateTime,
                endDateTime,
                status,
              })),
            }
          : {}),
      };
    },

    /** One page of the snapshot (see snapshot.ts); nothing once the instance has started. */
    async snapshotPage(ref: SnapshotPageInput): Promise<SnapshotPageResult> {
      const { definition, instance } = await must(ref);
      if (instance.status !== 'NotStarted') return { written: 0, skipped: 0, cursor: null };
      return snapshotPage(d, definition, instance, ref.cursor);
    },

    /** NotStarted → InProgress, once the snapshot is complete. */
    async beginInstance(ref: InstanceRef): Promise<InstanceStatusResult> {
      const { document, changed } = await d.reviews.instances.update(ref.instanceId, ref.definitionId, (i) =>
        i.status === 'NotStarted'
          ? { ...i, status: 'InProgress', ...startedStage(i, i.stages?.[0]?.stageId) }
          : undefined,
      );
      if (changed) {
        const counts = await countDecisions(d.reviews, ref.instanceId);
        await d.audit.record(instanceStartedRecord(document, counts.total, d.clock.now()));
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
      return mailReviewers(d, definition, instance, a);
    },

    /** InProgress → Completed (at the end, or stopped: who stopped it is kept). Final. */
    async closeInstance(a: CloseInstanceInput): Promise<InstanceStatusResult> {
      const now = d.clock.now().toISOString();
      const { document, changed } = await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
        i.status === 'InProgress' || i.status === 'NotStarted'
          ? {
              ...i,
              status: 'Completed',
              completedDateTime: now,
              stoppedBy: i.stoppedBy ?? a.stoppedBy,
              // The current stage and any after it end with the instance.
              ...(i.stages
                ? { stages: i.stages.map((st) => ({ ...st, status: 'Completed' as const })) }
                : {}),
            }
          : undefined,
      );
      if (changed) await d.audit.record(instanceClosedRecord(document, d.clock.now()));
      return { status: document.status };
    },

    /**
     * Multi-stage: closes stage `from` (no decision is taken in it after this), then moves one page of its items
     * whose decision is in its decisionsThatWillMoveToNextStage into stage `to`, NotReviewed, with `to`'s reviewers
     * (their decision in `from` kept in their history). The first page each time: a moved item leaves the query, so
     * a re-run after a crash moves only what is left. Nothing moves once the instance has closed.
     */
    async advanceStage(a: AdvanceStageInput): Promise<AdvanceStageResult> {
      const { instance } = await must(a);
      const from = instance.stages?.find((st) => st.stageId === a.from);
      const to = instance.stages?.find((st) => st.stageId === a.to);
      if (!from || !to) return { moved: 0, more: false };
      if (from.status !== 'Completed')
        await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
          i.stages?.some((st) => st.stageId === a.from && st.status !== 'Completed')
            ? {
                ...i,
                stages: i.stages.map((st) => (st.stageId === a.from ? { ...st, status: 'Completed' } : st)),
              }
            : undefined,
        );
      if (instance.status !== 'InProgress' || to.status !== 'NotStarted') return { moved: 0, more: false };
      const page = await d.reviews.itemsMovingOn(
        instance.id,
        from.stageId,
        decisionsMovingOn(from),
        STAGE_PAGE,
      );
      const plan = reviewerPlan(to.reviewers, to.fallbackReviewers);
      if ('error' in plan) throw new Error(plan.error);
      const managerOf = managerLookup(d.directory);
      let moved = 0;
      await inParallel(page.items, 10, async (item) => {
        const reviewerIds = await reviewerIdsFor(plan, item.principal, managerOf);
        const r = await d.reviews.decisions.update(item.id, item.instanceId, (c) =>
          movedOn(c, from.stageId, to.stageId, reviewerIds),
        );
        if (r.changed) moved++;
      });
      return { moved, more: page.items.length > 0 };
    },

    /** Multi-stage: stage `stageId` NotStarted → InProgress; the instance's reviewers become the stage's. */
    async beginStage(a: StageRef): Promise<InstanceStatusResult> {
      const { document } = await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
        i.status === 'InProgress' &&
        i.stages?.some((st) => st.stageId === a.stageId && st.status === 'NotStarted')
          ? { ...i, ...startedStage(i, a.stageId) }
          : undefined,
      );
      return { status: document.status };
    },

    /**
     * One page of default decisions for items nobody decided, when the series says so: Approve, Deny, or the item's
     * recommendation (items without one stay NotReviewed); `None` decides nothing. Returns whether more may be left.
     */
    async applyDefaultDecisions(ref: InstanceRef): Promise<DefaultDecisionsResult> {
      const { definition, instance } = await must(ref);
      const s = definition.settings;
      if (!takesDefaultDecisions(s) || instance.status !== 'Completed') return { updated: 0, more: false };
      const page = await d.reviews.undecidedItems(instance.id, {
        withRecommendation: s.defaultDecision === 'Recommendation',
        pageSize: DEFAULT_DECISION_PAGE,
      });
      const at = instance.completedDateTime ?? d.clock.now().toISOString();
      let updated = 0;
      await inParallel(page.items, 10, async (item) => {
        const decision = defaultFor(s.defaultDecision, item);
        if (!decision) return;
        const r = await d.reviews.decisions.update(item.id, item.instanceId, (c) =>
          withDefaultDecision(c, decision, s.defaultDecision, at),
        );
        if (r.changed) updated++;
      });
      return { updated, more: page.items.length > 0 };
    },

    /** Mails the admins (when mailNotificationsEnabled) and the additional recipients the counts; audited. */
    async notifyCompletion(ref: InstanceRef): Promise<NotifyCompletionResult> {
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
            directoryRole: directoryRoleNames(instance),
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
      await d.audit.record(instanceResultsRecord(instance, counts, [...to], d.clock.now()));
      return { autoApply: definition.settings.autoApplyDecisionsEnabled, counts };
    },
  };
}

export type InstanceActivities = ReturnType<typeof createInstanceActivities>;
