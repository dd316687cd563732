/**
 * Groups under management (what Graph lacks): bringing a group under management checks it in Graph, records it
 * with the members and owners present at that moment (the baseline drift detection starts from), creates its two
 * role management policies with PIM's defaults, and audits it. Removing it deletes its policies and audits that.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import { userActor } from '../audit/domain/audit-entry';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { Directory, DirectoryPrincipal } from '../directory/directory';
import type { Stored } from '../storage/stored';
import { AlreadyExistsError, NotFoundError } from '../storage/errors';
import type { BaselinePrincipal, ManagedGroup } from './domain/managed-group';
import type { ManagedGroupRepository } from './adapters/managed-group-repository';
import { policyIdFor } from '../policies/adapters/policy-store';
import type { PolicyService } from '../policies/policy-service';

export interface ManagedGroupDeps {
  managedGroups: ManagedGroupRepository;
  directory: Directory;
  audit: AuditWriter;
  clock: Clock;
  policies: PolicyService;
  /** The group's drift report goes when the group leaves management (absent in callers that don't need it). */
  driftReports?: { remove(groupId: string): Promise<void> };
}

/** What `PATCH managedGroups/{groupId}` may change. */
export interface ManagedGroupSettingsPatch {
  removeMembersAddedOutsidePim?: boolean;
}

export type ManageResult =
  { ok: true; group: Stored<ManagedGroup> } | { ok: false; status: 400 | 404 | 409; detail: string };

export async function bringUnderManagement(
  deps: ManagedGroupDeps,
  rawGroupId: string,
  caller: CallerPrincipal,
): Promise<ManageResult> {
  const groupId = rawGroupId.toLowerCase();
  const directoryGroup = await deps.directory.getGroup(groupId);
  if (!directoryGroup) return { ok: false, status: 404, detail: `No group ${groupId} in the directory` };
  if (directoryGroup.groupTypes.includes('DynamicMembership')) {
    return {
      ok: false,
      status: 400,
      detail: `${directoryGroup.displayName} has dynamic membership: its members come from a rule, so access to it can't be granted just in time`,
    };
  }
  if (!directoryGroup.securityEnabled && !directoryGroup.groupTypes.includes('Unified')) {
    return {
      ok: false,
      status: 400,
      detail: `${directoryGroup.displayName} is a distribution group: only security and Microsoft 365 groups can be managed`,
    };
  }
  if (await deps.managedGroups.find(groupId)) {
    return { ok: false, status: 409, detail: `${directoryGroup.displayName} is already under management` };
  }
  const [members, owners] = await Promise.all([
    deps.directory.listGroupMembers(groupId),
    deps.directory.listGroupOwners(groupId),
  ]);
  const now = deps.clock.now();
  let group: Stored<ManagedGroup>;
  try {
    group = await deps.managedGroups.add({
      id: groupId,
      groupId,
      displayName: directoryGroup.displayName.slice(0, 256),
      managedSince: now.toISOString(),
      managedBy: caller.objectId,
      settings: { roles: ['member', 'owner'] },
      baselineMembers: members.map(baseline),
      baselineOwners: owners.map(baseline),
      baselineTakenAt: now.toISOString(),
    });
  } catch (err) {
    if (err instanceof AlreadyExistsError) {
      return { ok: false, status: 409, detail: `${directoryGroup.displayName} is already under management` };
    }
    throw err;
  }
  // Settings left by a removal that died half-way are not this management's: start from PIM's defaults.
  await deps.policies.removeAll(groupId);
  const policies = await deps.policies.createDefaults(group);
  await deps.audit.record({
    id: `managedGroup:${groupId}:${group.managedSince}:added`,
    activityDateTime: now,
    activityDisplayName: 'Bring group under PIM management',
    category: 'GroupManagement',
    operationType: 'Add',
    result: 'success',
    initiatedBy: userActor(caller.objectId, caller.displayName, caller.userPrincipalName),
    targetResources: [
      { id: groupId, displayName: group.displayName, type: 'Group' },
      ...policies.map((p) => ({
        id: p.id,
        displayName: `${p.roleDefinitionId} role settings`,
        type: 'Policy' as const,
      })),
    ],
    groupId,
    details: {
      roles: group.settings.roles.join(', '),
      baselineMembers: String(members.length),
      baselineOwners: String(owners.length),
      memberPolicyId: policyIdFor(group, 'member'),
      ownerPolicyId: policyIdFor(group, 'owner'),
    },
  });
  return { ok: true, group };
}

export async function removeFromManagement(
  deps: ManagedGroupDeps,
  rawGroupId: string,
  caller: CallerPrincipal,
): Promise<{ ok: true } | { ok: false; status: 404; detail: string }> {
  const groupId = rawGroupId.toLowerCase();
  const group = await deps.managedGroups.find(groupId);
  if (!group) {
    // A removal that died after the group document went (a retried DELETE): finish its clean-up.
    await deps.policies.removeAll(groupId);
    await deps.driftReports?.remove(groupId);
    return { ok: false, status: 404, detail: `The group ${groupId} is not under management` };
  }
  try {
    // The group document first: from then on nothing reads the policies, even if deleting them fails midway.
    await deps.managedGroups.remove(groupId);
  } catch (err) {
    if (err instanceof NotFoundError) {
      return { ok: false, status: 404, detail: `The group ${groupId} is not under management` };
    }
    throw err;
  }
  await deps.policies.removeAll(groupId);
  await deps.driftReports?.remove(groupId);
  const now = deps.clock.now();
  await deps.audit.record({
    id: `managedGroup:${groupId}:${group.managedSince}:removed`,
    activityDateTime: now,
    activityDisplayName: 'Remove group from PIM management',
    category: 'GroupManagement',
    operationType: 'Delete',
    result: 'success',
    initiatedBy: userActor(caller.objectId, caller.displayName, caller.userPrincipalName),
    targetResources: [{ id: groupId, displayName: group.displayName, type: 'Group' }],
    groupId,
    details: { managedSince: group.managedSince, managedBy: group.managedBy },
  });
  return { ok: true };
}

/** Changes a managed group's own settings (not its roles' settings, which are policies), audited when changed. */
export async function updateManagedGroupSettings(
  deps: ManagedGroupDeps,
  rawGroupId: string,
  patch: ManagedGroupSettingsPatch,
  caller: CallerPrincipal,
): Promise<ManageResult> {
  const groupId = rawGroupId.toLowerCase();
  const before = await deps.managedGroups.find(groupId);
  if (!before) return { ok: false, status: 404, detail: `The group ${groupId} is not under management` };
  let previous = before.settings;
  let result;
  try {
    result = await deps.managedGroups.update(groupId, (current) => {
      previous = current.settings;
      const settings = { ...current.settings, ...patch };
      const same = (Object.keys(patch) as (keyof ManagedGroupSettingsPatch)[]).every(
        (k) => (current.settings[k] ?? false) === settings[k],
      );
      return same ? undefined : { ...current, settings };
    });
  } catch (err) {
    if (err instanceof NotFoundError) {
      return { ok: false, status: 404, detail: `The group ${groupId} is not under management` };
    }
    throw err;
  }
  if (result.changed) {
    const now = deps.clock.now();
    await deps.audit.record({
      id: `managedGroup:${groupId}:settings:${result.document._etag}`,
      activityDateTime: now,
      activityDisplayName: 'Update settings of group under PIM management',
      category: 'GroupManagement',
      operationType: 'Update',
      result: 'success',
      initiatedBy: userActor(caller.objectId, caller.displayName, caller.userPrincipalName),
      targetResources: [{ id: groupId, displayName: result.document.displayName, type: 'Group' }],
      groupId,
      details: Object.fromEntries(
        (Object.keys(patch) as (keyof ManagedGroupSettingsPatch)[]).flatMap((k) => [
          [`old.${k}`, String(previous[k] ?? false)],
          [`new.${k}`, String(result.document.settings[k] ?? false)],
        ]),
      ),
    });
  }
  return { ok: true, group: result.document };
}

function baseline(p: DirectoryPrincipal): BaselinePrincipal {
  return { id: p.id, type: p.type, displayName: p.displayName };
}

/** The API's view of a managed group; the baseline lists only when asked (the single-group GET). */
export function managedGroupView(group: ManagedGroup, withBaseline: boolean): Record<string, unknown> {
  return {
    id: group.groupId,
    groupId: group.groupId,
    displayName: group.displayName,
    managedSince: group.managedSince,
    managedBy: group.managedBy,
    roles: group.settings.roles,
    removeMembersAddedOutsidePim: group.settings.removeMembersAddedOutsidePim ?? false,
    policyIds: Object.fromEntries(group.settings.roles.map((r) => [r, policyIdFor(group, r)])),
    baselineTakenAt: group.baselineTakenAt ?? null,
    ...(withBaseline && {
      baselineMembers: group.baselineMembers ?? null,
      baselineOwners: group.baselineOwners ?? null,
    }),
  };
}
