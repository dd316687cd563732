/**
 * The checks of a definition zod can't make: reviewers, recipients and settings (for a new definition and for the
 * result of an edit), and the scope's roles (each a role of a group under management or a directory role under
 * management, named once).
 */
import type { Directory } from '../directory/directory';
import { parseIsoDuration } from '../iso-duration';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import type { ManagedRoleRepository } from '../managed-roles/adapters/managed-role-repository';
import { checkRecurrence } from './domain/recurrence';
import { checkStages } from './domain/review-stages';
import { refuse, type Refusal } from './domain/refusal';
import {
  parseReviewers,
  seriesRecurrence,
  type ReviewDefinition,
  type ReviewerScope,
} from './domain/review-definition';
import { normalizeAzureScope } from '../access/resource';
import type { AzureReviewPorts } from './azure-review-ports';
import {
  isAzureScopeRole,
  isDirectoryScopeRole,
  type AzureScopeRole,
  type DirectoryScopeRole,
} from './domain/reviewed-role';

type Content = Pick<
  ReviewDefinition,
  'reviewers' | 'fallbackReviewers' | 'additionalNotificationRecipients' | 'settings' | 'stageSettings'
>;

const USER_QUERY = /^\/(?:v1\.0\/)?users\/([0-9a-fA-F-]{36})$/;
const MAX_LOOK_BACK_MS = 730 * 86_400_000;

function invalid(detail: string): Refusal {
  return refuse('invalid', detail);
}

/** The checks of reviewers, recipients and settings, for a new definition and for the result of an edit. */
export async function checkContent(
  deps: { directory: Pick<Directory, 'getUsers'> },
  d: Content,
): Promise<Refusal | undefined> {
  const stageProblem = d.stageSettings && checkStages(d.stageSettings);
  if (stageProblem) return invalid(stageProblem);
  const recurrenceProblem = checkRecurrence(d.settings);
  if (recurrenceProblem)
    return invalid(
      d.stageSettings
        ? `${recurrenceProblem} (with stageSettings the instance lasts the sum of the stages' durationInDays)`
        : recurrenceProblem,
    );
  const r = seriesRecurrence(d.settings.recurrence);
  if (r?.pattern.type === 'absoluteMonthly' && r.pattern.dayOfMonth) {
    const startDay = Number(r.range.startDate.slice(8, 10));
    if (r.pattern.dayOfMonth !== startDay)
      return invalid(
        `settings.recurrence.pattern.dayOfMonth (${r.pattern.dayOfMonth}) must be the day of range.startDate (${startDay}): occurrences fall on the start date's day`,
      );
  }
  const lookBackProblem = checkLookBack(d.settings.recommendationLookBackDuration, 'settings.');
  if (lookBackProblem) return lookBackProblem;
  const reviewerProblem = checkReviewerScopes(d.reviewers, d.fallbackReviewers, '');
  if (reviewerProblem) return reviewerProblem;
  for (const [i, stage] of (d.stageSettings ?? []).entries()) {
    const where = `stageSettings[${i}].`;
    const problem =
      checkReviewerScopes(stage.reviewers, stage.fallbackReviewers, where) ??
      (stage.recommendationLookBackDuration !== undefined
        ? checkLookBack(stage.recommendationLookBackDuration, where)
        : undefined);
    if (problem) return problem;
  }

  const named: { id: string; where: string }[] = [];
  const collect = (scopes: readonly ReviewerScope[], where: string) =>
    scopes.forEach((s, i) => {
      const m = USER_QUERY.exec(s.query);
      if (m?.[1]) named.push({ id: m[1].toLowerCase(), where: `${where}[${i}]` });
    });
  collect(d.reviewers, 'reviewers');
  collect(d.fallbackReviewers, 'fallbackReviewers');
  for (const [i, stage] of (d.stageSettings ?? []).entries()) {
    collect(stage.reviewers, `stageSettings[${i}].reviewers`);
    collect(stage.fallbackReviewers, `stageSettings[${i}].fallbackReviewers`);
  }
  for (const [i, recipient] of d.additionalNotificationRecipients.entries()) {
    const { query, emailAddress } = recipient.notificationRecipientScope;
    if (query !== undefined) {
      const m = USER_QUERY.exec(query);
      if (!m?.[1])
        return invalid(
          `additionalNotificationRecipients[${i}]: unsupported query "${query}": use /users/{id} or an emailAddress`,
        );
      named.push({ id: m[1].toLowerCase(), where: `additionalNotificationRecipients[${i}]` });
    } else if (!emailAddress) {
      return invalid(`additionalNotificationRecipients[${i}] needs a query (/users/{id}) or an emailAddress`);
    }
  }
  if (named.length > 0) {
    const users = await deps.directory.getUsers([...new Set(named.map((n) => n.id))]);
    const missing = named.find((n) => !users[n.id]);
    if (missing) return invalid(`${missing.where}: no user ${missing.id} in the directory`);
  }
  return undefined;
}

function checkLookBack(duration: string, where: string): Refusal | undefined {
  const lookBack = parseIsoDuration(duration);
  if (lookBack === undefined || lookBack <= 0 || lookBack > MAX_LOOK_BACK_MS)
    return invalid(
      `${where}recommendationLookBackDuration must be an ISO 8601 duration from 1 day up to P730D (e.g. P30D), not "${duration}"`,
    );
  return undefined;
}

/** Reviewer queries pimflow resolves; fallback reviewers selected users; `./manager` with fallback reviewers. */
function checkReviewerScopes(
  reviewerScopes: readonly ReviewerScope[],
  fallbackScopes: readonly ReviewerScope[],
  where: string,
): Refusal | undefined {
  const reviewers = parseReviewers(reviewerScopes);
  if ('error' in reviewers) return invalid(`${where}reviewers: ${reviewers.error}`);
  if (fallbackScopes.length > 0) {
    const fallback = parseReviewers(fallbackScopes);
    if ('error' in fallback) return invalid(`${where}fallbackReviewers: ${fallback.error}`);
    if (fallback.some((f) => f.kind !== 'user'))
      return invalid(`${where}fallbackReviewers must be selected users (/users/{id})`);
  }
  if (reviewers.some((x) => x.kind === 'manager') && fallbackScopes.length === 0)
    return invalid(
      `Manager reviewers (./manager) in ${where}reviewers need ${where}fallbackReviewers: they review principals who have no manager`,
    );
  return undefined;
}

export interface ScopeCheckDeps {
  managedGroups: Pick<ManagedGroupRepository, 'find'>;
  managedRoles: Pick<ManagedRoleRepository, 'find'>;
  directory: Pick<Directory, 'getRoleDefinition' | 'getAdministrativeUnit'>;
  azureReviews: AzureReviewPorts;
}

/** The scope's roles: each a role of a group under management or a managed directory role, each named once. */
export async function checkScope(
  deps: ScopeCheckDeps,
  scope: ReviewDefinition['scope'],
): Promise<Refusal | undefined> {
  const seen = new Set<string>();
  for (const [i, role] of scope.roles.entries()) {
    if (isAzureScopeRole(role)) {
      const key = `${normalizeAzureScope(role.azureScope)}|${role.roleDefinitionId.toLowerCase()}`;
      if (seen.has(key))
        return invalid(
          `scope.roles[${i}]: the role ${role.roleDefinitionId} at ${role.azureScope} is named twice`,
        );
      seen.add(key);
      const problem = await checkAzureRole(deps, role, `scope.roles[${i}]`);
      if (problem) return problem;
      continue;
    }
    if (isDirectoryScopeRole(role)) {
      const key = `${role.directoryScopeId}|${role.roleDefinitionId}`;
      if (seen.has(key))
        return invalid(`scope.roles[${i}]: the role ${role.roleDefinitionId} is named twice`);
      seen.add(key);
      const problem = await checkDirectoryRole(deps, role, `scope.roles[${i}]`);
      if (problem) return problem;
      continue;
    }
    const groupId = role.groupId.toLowerCase();
    const key = `${groupId}/${role.accessId}`;
    if (seen.has(key))
      return invalid(`scope.roles[${i}]: the ${role.accessId} role of ${groupId} is named twice`);
    seen.add(key);
    const group = await deps.managedGroups.find(groupId);
    if (!group) return invalid(`scope.roles[${i}]: the group ${groupId} is not under management`);
    if (!group.settings.roles.includes(role.accessId))
      return invalid(
        `scope.roles[${i}]: pimflow doesn't manage the ${role.accessId} role of ${group.displayName}`,
      );
  }
  return undefined;
}

/**
 * An Azure role is reviewed at a scope pimflow governs (a managed Azure scope, or one below it), that ARM has, with
 * a role definition ARM knows there.
 */
async function checkAzureRole(
  deps: ScopeCheckDeps,
  role: AzureScopeRole,
  where: string,
): Promise<Refusal | undefined> {
  const governing = await deps.azureReviews.findGoverningScope(role.azureScope);
  if (!governing)
    return invalid(
      `${where}.azureScope: ${role.azureScope} is not under management: bring it (or a scope above it) under management first (POST /api/managedAzureScopes)`,
    );
  const scope = await deps.azureReviews.rbac.getScope(role.azureScope);
  if (!scope) return invalid(`${where}.azureScope: no scope ${role.azureScope} in Azure Resource Manager`);
  const definition = await deps.azureReviews.rbac.getRoleDefinition(scope.id, role.roleDefinitionId);
  if (!definition)
    return invalid(
      `${where}.roleDefinitionId: no Azure role definition ${role.roleDefinitionId} at ${scope.id}`,
    );
  return undefined;
}

/** Only roles under management are reviewed (PIM reviews the roles it governs); the scope must exist. */
async function checkDirectoryRole(
  deps: ScopeCheckDeps,
  role: DirectoryScopeRole,
  where: string,
): Promise<Refusal | undefined> {
  const managed = await deps.managedRoles.find(role.roleDefinitionId);
  if (!managed) {
    const definition = await deps.directory.getRoleDefinition(role.roleDefinitionId);
    if (!definition) return invalid(`${where}: no role definition ${role.roleDefinitionId} in the directory`);
    return invalid(
      `${where}: the ${definition.displayName} role (${role.roleDefinitionId}) is not under management: bring it under management first (POST /api/managedRoles)`,
    );
  }
  const unit = /^\/administrativeUnits\/(.+)$/.exec(role.directoryScopeId)?.[1];
  if (unit && !(await deps.directory.getAdministrativeUnit(unit)))
    return invalid(`${where}: no administrative unit ${unit} in the directory`);
  return undefined;
}
