/**
 * Access review definitions (series): what the API accepts, the checks zod can't make, and create / update /
 * delete with their audit records. The HTTP functions (functions/access-review-definitions.ts) start and end the
 * series orchestration; everything else about a definition happens here.
 *
 * The bodies are domain/definition-bodies.ts, the checks definition-checks.ts, an edit's merge and diff
 * domain/definition-changes.ts. Checks beyond the body's shape: every scope role must be a role of a group under management
 * or a directory role under management (and named once);
 * an instance must be shorter than the interval between occurrences (`checkRecurrence`); a series starts today or
 * later; reviewer queries must be ones pimflow resolves (`parseReviewers`), `./manager` needs fallback reviewers,
 * fallback reviewers are selected users; every `/users/{id}` named must exist in the directory.
 *
 * Series edits (PATCH, or Graph's PUT replacing the whole definition) change the series, not its past: occurrences that have started keep their reviewers and
 * times; the next one takes the edit when it starts. The scope and the recurrence's start date are fixed at creation.
 */
import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../audit/domain/audit-record';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { Stored } from '../storage/stored';
import { NotFoundError } from '../storage/errors';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import type { ManagedRoleRepository } from '../managed-roles/adapters/managed-role-repository';
import { applyOrchestrationId, instanceOrchestrationId, seriesInstanceId } from './contract';
import { checkContent, checkScope } from './definition-checks';
import {
  definitionCreatedRecord,
  definitionDeletedRecord,
  definitionUpdatedRecord,
} from './domain/audit-records';
import type { DefinitionCreate, DefinitionPatch, DefinitionReplace } from './domain/definition-bodies';
import {
  changedProperties,
  merged,
  replaced,
  stripEtag,
  summarize,
  valueAt,
} from './domain/definition-changes';
import { refuse, type Refusal } from './domain/refusal';
import type { ReviewDefinition } from './domain/review-definition';
import { normalRole } from './domain/reviewed-role';
import { withStageDuration } from './domain/review-stages';
import type { ReviewStore } from './adapters/review-store';
import type { AzureReviewPorts } from './azure-review-ports';

export {
  definitionCreateSchema,
  definitionPatchSchema,
  definitionReplaceSchema,
  type DefinitionCreate,
  type DefinitionPatch,
  type DefinitionReplace,
} from './domain/definition-bodies';

export interface DefinitionDeps {
  reviews: ReviewStore;
  managedGroups: ManagedGroupRepository;
  managedRoles: ManagedRoleRepository;
  directory: Directory;
  azureReviews: AzureReviewPorts;
  audit: AuditWriter;
  clock: Clock;
}

export type DefinitionResult = { ok: true; definition: Stored<ReviewDefinition> } | Refusal;

/**
 * A new definition from a POST body, checked but not stored: the HTTP layer starts its series orchestration first
 * and stores it second, so a crash in between leaves no definition without a series (the series finds nothing and
 * ends). See planOccurrence for the other half.
 */
export async function prepareDefinition(
  deps: DefinitionDeps,
  body: DefinitionCreate,
  caller: CallerPrincipal,
): Promise<{ ok: true; definition: ReviewDefinition } | Refusal> {
  const now = deps.clock.now();
  const scopeProblem = await checkScope(deps, body.scope);
  if (scopeProblem) return scopeProblem;
  const startDate = body.settings.recurrence?.range.startDate;
  const today = now.toISOString().slice(0, 10);
  if (startDate && startDate < today)
    return refuse(
      'invalid',
      `settings.recurrence.range.startDate (${startDate}) must be today (${today}) or later`,
    );
  const normal = withStageDuration(body);
  const problem = await checkContent(deps, normal);
  if (problem) return problem;

  const id = randomUUID();
  const { '@odata.type': _type, graphScope, ...content } = normal;
  const definition: ReviewDefinition = {
    ...content,
    ...(graphScope ? { graphScope } : {}),
    id,
    scope: {
      ...body.scope,
      roles: body.scope.roles.map(normalRole),
    },
    status: 'NotStarted',
    createdBy: {
      id: caller.objectId,
      displayName: caller.displayName ?? null,
      userPrincipalName: caller.userPrincipalName ?? null,
    },
    createdDateTime: now.toISOString(),
    lastModifiedDateTime: now.toISOString(),
    orchestrationInstanceId: seriesInstanceId(id),
  };
  return { ok: true, definition };
}

export function storeDefinition(
  deps: DefinitionDeps,
  definition: ReviewDefinition,
): Promise<Stored<ReviewDefinition>> {
  return deps.reviews.definitions.create(definition);
}

/**
 * Audits a created definition once stored; its series audits it again at its first plan (same id, one record), so a
 * crash between storing and auditing loses nothing.
 */
export async function auditCreated(
  deps: Pick<DefinitionDeps, 'audit' | 'clock'>,
  d: ReviewDefinition,
  caller: Pick<CallerPrincipal, 'objectId' | 'displayName' | 'userPrincipalName'>,
): Promise<void> {
  await deps.audit.record(definitionCreatedRecord(d, caller, deps.clock.now()));
}

/** A series edit (PATCH): the properties sent change, settings key by key. */
export async function updateDefinition(
  deps: DefinitionDeps,
  id: string,
  patch: DefinitionPatch,
  caller: CallerPrincipal,
): Promise<DefinitionResult> {
  if (patch.scope !== undefined || patch.instanceEnumerationScope !== undefined)
    return refuse(
      'invalid',
      'scope is fixed after creation: the series reviews the roles it was created with; create a new definition for other roles',
    );
  return changeDefinition(deps, id, (current) => merged(current, patch), caller);
}

/** Graph's update (PUT): the whole definition replaced, its scope and start unchanged. */
export function replaceDefinition(
  deps: DefinitionDeps,
  id: string,
  body: DefinitionReplace,
  caller: CallerPrincipal,
): Promise<DefinitionResult> {
  return changeDefinition(deps, id, (current) => replaced(current, body), caller);
}

/** Applies a change to the stored definition (ETag-guarded), checked as at creation, audited when it changed something. */
async function changeDefinition(
  deps: DefinitionDeps,
  id: string,
  change: (current: ReviewDefinition) => ReviewDefinition | Refusal,
  caller: CallerPrincipal,
): Promise<DefinitionResult> {
  const before = await deps.reviews.definitions.find(id, id);
  if (!before) return refuse('notFound', `No access review definition ${id}`);
  const first = withStages(change(before));
  if ('ok' in first) return first;
  const problem = await checkContent(deps, first);
  if (problem) return problem;

  let result: { document: Stored<ReviewDefinition>; changed: boolean };
  let previous: ReviewDefinition = before;
  try {
    result = await deps.reviews.definitions.update(id, id, (current) => {
      previous = current;
      const next = withStages(change(current));
      if ('ok' in next) return undefined;
      const { lastModifiedDateTime: _a, ...a } = stripEtag(current);
      const { lastModifiedDateTime: _b, ...b } = next;
      if (JSON.stringify(a) === JSON.stringify(stripEtag(b))) return undefined;
      return { ...next, lastModifiedDateTime: deps.clock.now().toISOString() };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return refuse('notFound', `No access review definition ${id}`);
    throw err;
  }
  if (result.changed) {
    const changes = changedProperties(previous, result.document).map((key) => ({
      key,
      before: summarize(valueAt(previous, key)),
      after: summarize(valueAt(result.document, key)),
    }));
    await deps.audit.record(definitionUpdatedRecord(result.document, changes, caller, deps.clock.now()));
  }
  return { ok: true, definition: result.document };
}

/** The edit applied, with the stages in order and the instance as long as they are together. */
/** A changed definition with its stages in order and the instance lasting their sum (review-stages.ts). */
function withStages(next: ReviewDefinition | Refusal): ReviewDefinition | Refusal {
  return 'ok' in next ? next : withStageDuration(next);
}

export interface OrchestrationControl {
  /** Ends an orchestration if it is running; nothing if it doesn't exist or has finished. */
  terminate(instanceId: string, reason: string): Promise<void>;
}

/**
 * Deletes a definition and everything of it: its series orchestration and every instance's (review and apply)
 * orchestration are terminated first, then each instance's decision items and the instance, the definition last —
 * so a DELETE that fails midway can be sent again and finishes the job.
 */
export async function deleteDefinition(
  deps: DefinitionDeps,
  id: string,
  caller: CallerPrincipal,
  orchestrations: OrchestrationControl,
): Promise<{ ok: true; instances: number; decisions: number } | Refusal> {
  const definition = await deps.reviews.definitions.find(id, id);
  if (!definition) return refuse('notFound', `No access review definition ${id}`);
  const reason = 'The access review definition was deleted';
  await orchestrations.terminate(seriesInstanceId(id), reason);

  const instanceIds = await instanceIdsOf(deps, id);
  for (const instanceId of instanceIds) {
    await orchestrations.terminate(instanceOrchestrationId(instanceId), reason);
    await orchestrations.terminate(applyOrchestrationId(instanceId), reason);
  }

  let decisions = await removeInstances(deps, id, instanceIds);
  await ignoreMissing(deps.reviews.definitions.delete(id, id));
  // An activity that was already running when its orchestration was terminated may have written after the sweep
  // above (an instance planned, items snapshotted): sweep once more now that nothing can find the definition.
  const all = [...new Set([...instanceIds, ...(await instanceIdsOf(deps, id))])];
  decisions += await removeInstances(deps, id, all);

  await deps.audit.record(
    definitionDeletedRecord(definition, { instances: all.length, decisions }, caller, deps.clock.now()),
  );
  return { ok: true, instances: all.length, decisions };
}

async function instanceIdsOf(deps: DefinitionDeps, definitionId: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await deps.reviews.listInstances(definitionId, 100, token);
    ids.push(...page.items.map((i) => i.id));
    token = page.continuationToken;
  } while (token);
  return ids;
}

/** Deletes each instance's decision items, then the instance; the number of items deleted. */
async function removeInstances(
  deps: DefinitionDeps,
  definitionId: string,
  instanceIds: string[],
): Promise<number> {
  let decisions = 0;
  for (const instanceId of instanceIds) {
    // Always the first page: what was deleted is gone from it.
    for (;;) {
      const page = await deps.reviews.listDecisions({ instanceId, pageSize: 100 });
      if (page.items.length === 0) break;
      for (const item of page.items) {
        await ignoreMissing(deps.reviews.decisions.delete(item.id, instanceId));
        decisions++;
      }
    }
    await ignoreMissing(deps.reviews.instances.delete(instanceId, definitionId));
  }
  return decisions;
}

async function ignoreMissing(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
