/**
 * The series orchestration's activities (orchestrations/access-review-series.ts): plan an occurrence (its times, and
 * one instance document per selected role — a group role or a directory role, named for it — created if missing so a re-run creates nothing twice), start it (the
 * definition becomes InProgress and the occurrence's instances take the series' current reviewers and duration),
 * and end the series (the definition becomes Completed). Every write is idempotent: ETag-guarded updates that do
 * nothing when already done, create-if-missing, deterministic audit ids.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { AlreadyExistsError, NotFoundError } from '../storage/errors';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import type { ManagedRoleRepository } from '../managed-roles/adapters/managed-role-repository';
import { auditCreated } from './definition-service';
import { seriesCompletedRecord } from './domain/audit-records';
import { occurrenceAt } from './domain/recurrence';
import type { ReviewDefinition } from './domain/review-definition';
import type { ReviewInstance } from './domain/review-instance';
import {
  instanceOrchestrationId,
  type PlanResult,
  type SeriesInput,
  type StartOccurrenceInput,
  type StartOccurrenceResult,
} from './contract';
import { reviewInstanceId } from './domain/review-ids';
import { DIRECTORY_SCOPE_NAME, storedRole, type StoredRole } from './domain/reviewed-role';
import type { ReviewStore } from './adapters/review-store';
import type { AzureReviewPorts } from './azure-review-ports';
import { instanceStagesFor, startingReviewers } from './domain/review-stages';

export interface SeriesDeps {
  reviews: ReviewStore;
  managedGroups: ManagedGroupRepository;
  managedRoles: ManagedRoleRepository;
  directory: Directory;
  azureReviews: AzureReviewPorts;
  audit: AuditWriter;
  clock: Clock;
}

/** When the series orchestration of a definition was created (from the durable client's status), if known. */
export type SeriesStartedAt = (definitionId: string) => Promise<Date | undefined>;

function creatorOf(d: ReviewDefinition) {
  return {
    objectId: d.createdBy.id,
    displayName: d.createdBy.displayName ?? undefined,
    userPrincipalName: d.createdBy.userPrincipalName ?? undefined,
  };
}

export interface SeriesActivities {
  planOccurrence(input: SeriesInput, seriesStartedAt?: SeriesStartedAt): Promise<PlanResult>;
  startOccurrence(input: StartOccurrenceInput): Promise<StartOccurrenceResult>;
}

const DAY_MS = 86_400_000;

/** A multi-stage instance's `stages`; nothing for a single-stage one (its document stays as it was). */
function stagesOf(
  d: ReviewDefinition,
  instanceId: string,
  start: string,
): { stages?: ReviewInstance['stages'] } {
  const stages = instanceStagesFor(d, instanceId, start);
  return stages ? { stages } : {};
}

export function createSeriesActivities(deps: SeriesDeps): SeriesActivities {
  const { reviews } = deps;

  async function definitionOf(id: string) {
    return reviews.definitions.find(id, id);
  }

  async function groupName(groupId: string): Promise<string | null> {
    const managed = await deps.managedGroups.find(groupId);
    if (managed) return managed.displayName;
    return (await deps.directory.getGroup(groupId))?.displayName ?? null;
  }

  /** An instance's names: the group's; or a directory role's (from the directory) and its scope's. */
  async function namesOf(
    role: StoredRole,
  ): Promise<Pick<ReviewInstance, 'groupDisplayName' | 'roleDisplayName'>> {
    if (role.resourceType === 'group') return { groupDisplayName: await groupName(role.groupId) };
    if (role.resourceType === 'azureRole') {
      // ARM's names: the scope's ("kv-finance", "Contoso Production") and the role's ("Key Vault Administrator").
      const scope = await deps.azureReviews.rbac.getScope(role.groupId);
      const definition = await deps.azureReviews.rbac.getRoleDefinition(
        scope?.id ?? role.groupId,
        role.accessId,
      );
      return { groupDisplayName: scope?.displayName ?? null, roleDisplayName: definition?.roleName ?? null };
    }
    const unit = /^\/administrativeUnits\/(.+)$/.exec(role.groupId)?.[1];
    const [definition, managed, scope] = await Promise.all([
      deps.directory.getRoleDefinition(role.accessId),
      deps.managedRoles.find(role.accessId),
      unit ? deps.directory.getAdministrativeUnit(unit) : undefined,
    ]);
    return {
      groupDisplayName: unit ? (scope?.displayName ?? null) : DIRECTORY_SCOPE_NAME,
      roleDisplayName: definition?.displayName ?? managed?.displayName ?? null,
    };
  }

  async function completeSeries(definition: ReviewDefinition): Promise<void> {
    let changed: boolean;
    try {
      changed = (
        await reviews.definitions.update(definition.id, definition.id, (current) =>
          current.status === 'Completed'
            ? undefined
            : { ...current, status: 'Completed', lastModifiedDateTime: deps.clock.now().toISOString() },
        )
      ).changed;
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    if (!changed) return;
    await deps.audit.record(seriesCompletedRecord(definition, deps.clock.now()));
  }

  /** Whether the series was started in the last few minutes (so its definition may still be on its way). */
  async function seriesIsYoung(definitionId: string, startedAt?: SeriesStartedAt): Promise<boolean> {
    const started = await startedAt?.(definitionId);
    return started !== undefined && deps.clock.now().getTime() - started.getTime() < 5 * 60_000;
  }

  return {
    async planOccurrence({ definitionId, occurrence }, seriesStartedAt) {
      let definition = await definitionOf(definitionId);
      if (!definition && occurrence === 0 && (await seriesIsYoung(definitionId, seriesStartedAt))) {
        // The series starts just before its definition is stored (see prepareDefinition): wait a moment for the
        // write, then let the activity's retries wait longer.
        for (let attempt = 0; attempt < 20 && !definition; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          definition = await definitionOf(definitionId);
        }
        if (!definition) throw new Error(`Access review definition ${definitionId} is not stored yet`);
      }
      // Gone, or stopped (POST definitions/{id}/stop marks it Completed): no more occurrences.
      if (!definition || definition.status === 'Completed') return { kind: 'end' };
      if (occurrence === 0) await auditCreated(deps, definition, creatorOf(definition));
      const at = occurrenceAt(definition.settings, new Date(definition.createdDateTime), occurrence);
      if (!at) {
        await completeSeries(definition);
        return { kind: 'end' };
      }
      const startDateTime = at.start.toISOString();
      const endDateTime = at.end.toISOString();
      const instances: { instanceId: string }[] = [];
      for (const role of definition.scope.roles.map(storedRole)) {
        const { groupId, accessId, resourceType } = role;
        const id = reviewInstanceId(definitionId, occurrence, groupId, accessId);
        instances.push({ instanceId: id });
        if (await reviews.instances.find(id, definitionId)) continue;
        const instance: ReviewInstance = {
          id,
          definitionId,
          occurrence,
          ...(resourceType === 'group' ? {} : { resourceType }),
          groupId,
          accessId,
          ...(await namesOf(role)),
          startDateTime,
          endDateTime,
          status: 'NotStarted',
          ...startingReviewers(definition),
          contactedReviewerIds: [],
          stoppedBy: null,
          completedDateTime: null,
          appliedDateTime: null,
          orchestrationInstanceId: instanceOrchestrationId(id),
          ...stagesOf(definition, id, startDateTime),
        };
        try {
          await reviews.instances.create(instance);
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
      return { kind: 'occurrence', startDateTime, endDateTime, instances };
    },

    async startOccurrence({ definitionId, instanceIds }) {
      const definition = await definitionOf(definitionId);
      if (!definition) return { proceed: false };
      const now = deps.clock.now().toISOString();
      try {
        await reviews.definitions.update(definitionId, definitionId, (current) =>
          current.status === 'NotStarted'
            ? { ...current, status: 'InProgress', lastModifiedDateTime: now }
            : undefined,
        );
      } catch (err) {
        if (err instanceof NotFoundError) return { proceed: false };
        throw err;
      }
      // Series edits made since the occurrence was planned reach its instances until they start.
      const { reviewers, fallbackReviewers } = startingReviewers(definition);
      const { settings } = definition;
      for (const id of instanceIds) {
        try {
          await reviews.instances.update(id, definitionId, (current) => {
            if (current.status !== 'NotStarted') return undefined;
            const endDateTime = new Date(
              new Date(current.startDateTime).getTime() + settings.instanceDurationInDays * DAY_MS,
            ).toISOString();
            const { stages } = stagesOf(definition, id, current.startDateTime);
            const same =
              current.endDateTime === endDateTime &&
              JSON.stringify(current.reviewers) === JSON.stringify(reviewers) &&
              JSON.stringify(current.fallbackReviewers) === JSON.stringify(fallbackReviewers) &&
              JSON.stringify(current.stages) === JSON.stringify(stages);
            if (same) return undefined;
            const { stages: _old, ...rest } = current;
            return { ...rest, reviewers, fallbackReviewers, endDateTime, ...(stages ? { stages } : {}) };
          });
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      return { proceed: true };
    },
  };
}
