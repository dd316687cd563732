/**
 * Groups under management (what Graph lacks): bringing a group under management checks it in Graph, records it
 * with the members and owners present at that moment (the baseline drift detection starts from), creates its two
 * role management policies with PIM's defaults, and audits it. Removing it deletes its policies and audits that.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { Directory, DirectoryPrincipal } from '../directory/directory';
import type { Stored } from '../storage/stored';
import { AlreadyExistsError, NotFoundError } from '../storage/errors';
import type { BaselinePrincipal, ManagedGroup } from './domain/managed-group';
import type { ManagedGroupRepository } from './adapters/managed-group-repository';
import { groupManagedRecord, groupSettingsUpdatedRecord, groupUnmanagedRecord } from './domain/audit-records';
import { policyIdFor } from '../policies/domain/policy';
import type { PolicyService } from '../policies/policy-service';

export interface ManagedGroupDeps {
  managedGroups: ManagedGroupRepository;
  directory: Directory;
  audit: AuditWriter;
  clock: Clock;
  policies: Pick<PolicyService, 'removeAll' | 'createDefaults'>;
  /** The group's drift report goes when the group leaves management (absent in callers that don't need it). */
  driftReports?: { remove(groupId: string): Promise<void> };
}

/** What `PATCH managedGroups/{groupId}` may change. */
export interface ManagedGroupSettingsPatch {
  removeMembersAddedOutsidePim?: boolean;
}

/** Why a change to managed groups was refused (http/ maps each reason to its status). */
export type ManageRefusal = {
  ok: false;
  reason: 'notInDirectory' | 'dynamicMembership' | 'distributionGroup' | 'alreadyManaged' | 'notManaged';
  detail: string;
};

export type ManageResult = { ok: true; group: Stored<ManagedGroup> } | ManageRefusal;

const refused = (reason: ManageRefusal['reason'], detail: string): ManageRefusal => ({
  ok: false,
  reason,
  detail,
});
const notManaged = (groupId: string) => refused('notManaged', `The group ${groupId} is not under management`);

export async function bringUnderManagement(
  deps: ManagedGroupDeps,
  rawGroupId: string,
  caller: CallerPrincipal,
): Promise<ManageResult> {
  const groupId = rawGroupId.toLowerCase();
  const directoryGroup = await deps.directory.getGroup(groupId);
  if (!directoryGroup) return refused('notInDirectory', `No group ${groupId} in the directory`);
  const name = directoryGroup.displayName;
  if (directoryGroup.groupTypes.includes('DynamicMembership')) {
    return refused(
      'dynamicMembership',
      `${name} has dynamic membership: its members come from a rule, so access to it can't be granted just in time`,
    );
  }
  if (!directoryGroup.securityEnabled && !directoryGroup.groupTypes.includes('Unified')) {
    return refused(
      'distributionGroup',
      `${name} is a distribution group: only security and Microsoft 365 groups can be managed`,
    );
  }
  if (await deps.managedGroups.find(groupId)) {
    return refused('alreadyManaged', `${name} is already under management`);
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
      displayName: name.slice(0, 256),
      managedSince: now.toISOString(),
      managedBy: caller.objectId,
      settings: { roles: ['member', 'owner'] },
      baselineMembers: members.map(baseline),
      baselineOwners: owners.map(baseline),
      baselineTakenAt: now.toISOString(),
    });
  } catch (err) {
    if (err instanceof AlreadyExistsError)
      return refused('alreadyManaged', `${name} is already under management`);
    throw err;
  }
  // Settings left by a removal that died half-way are not this management's: start from PIM's defaults.
  await deps.policies.removeAll(groupId);
  const policies = await deps.policies.createDefaults(group);
  const policyIds = { member: policyIdFor(group, 'member'), owner: policyIdFor(group, 'owner') };
  await deps.audit.record(groupManagedRecord(group, policies, policyIds, caller, now));
  return { ok: true, group };
}

export async function removeFromManagement(
  deps: ManagedGroupDeps,
  rawGroupId: string,
  caller: CallerPrincipal,
): Promise<{ ok: true } | ManageRefusal> {
  const groupId = rawGroupId.toLowerCase();
  const group = await deps.managedGroups.find(groupId);
  if (!group) {
    // A removal that died after the group document went (a retried DELETE): finish its clean-up.
    await deps.policies.removeAll(groupId);
    await deps.driftReports?.remove(groupId);
    return notManaged(groupId);
  }
  try {
    // The group document first: from then on nothing reads the policies, even if deleting them fails midway.
    await deps.managedGroups.remove(groupId);
  } catch (err) {
    if (err instanceof NotFoundError) return notManaged(groupId);
    throw err;
  }
  await deps.policies.removeAll(groupId);
  await deps.driftReports?.remove(groupId);
  await deps.audit.record(groupUnmanagedRecord(group, caller, deps.clock.now()));
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
  if (!before) return notManaged(groupId);
  const keys = Object.keys(patch) as (keyof ManagedGroupSettingsPatch)[];
  let previous = before.settings;
  let result;
  try {
    result = await deps.managedGroups.update(groupId, (current) => {
      previous = current.settings;
      const settings = { ...current.settings, ...patch };
      const same = keys.every((k) => (current.settings[k] ?? false) === settings[k]);
      return same ? undefined : { ...current, settings };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return notManaged(groupId);
    throw err;
  }
  if (result.changed) {
    const { document } = result;
    await deps.audit.record(
      groupSettingsUpdatedRecord(document, document._etag, keys, previous, caller, deps.clock.now()),
    );
  }
  return { ok: true, group: result.document };
}

function baseline(p: DirectoryPrincipal): BaselinePrincipal {
  return { id: p.id, type: p.type, displayName: p.displayName };
}
