/**
 * Azure resource roles for My roles and Approve requests, read from ARM's PIM API under /api (docs/api/azure-roles.md)
 * and folded into the rows the pages already show for groups and Entra roles. A row's name is the role and the scope
 * as PIM names them ("Contributor · finance-rg (Resource group)").
 *
 * ARM reports how the caller holds a role (`memberType`): Direct, through a Group, or Inherited from an assignment at
 * a parent scope. Only Direct ones can be changed by the caller; the others are shown with where they come from.
 */
import type { Api } from '../../api/client';
import { ApiError } from '../../api/errors';
import {
  armListAll,
  armPath,
  armResourcePath,
  newRequestName,
  roleDefinitionArmId,
  roleDefinitionGuid,
  scopeLabel,
  scopeLastName,
  type ArmExpandedProperties,
  type ArmResource,
} from '../../api/arm';
import type { AccessRow, ActivationRule, RequestRow, Target } from './access';

interface ArmInstance {
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  roleEligibilityScheduleId?: string;
  roleAssignmentScheduleId?: string;
  linkedRoleEligibilityScheduleId?: string | null;
  assignmentType?: string | null;
  memberType?: string | null;
  status?: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
  expandedProperties?: ArmExpandedProperties;
}

export interface ArmRequest {
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  requestType: string;
  status: string;
  approvalId?: string | null;
  createdOn?: string | null;
  justification?: string | null;
  ticketInfo?: { ticketNumber?: string | null; ticketSystem?: string | null } | null;
  scheduleInfo?: {
    startDateTime?: string | null;
    expiration?: { type?: string; endDateTime?: string | null; duration?: string | null };
  } | null;
  linkedRoleEligibilityScheduleId?: string | null;
  targetRoleAssignmentScheduleId?: string | null;
  expandedProperties?: ArmExpandedProperties;
}

/** The role and scope of an ARM instance, schedule or request. */
function azureTarget(p: {
  scope: string;
  roleDefinitionId: string;
  expandedProperties?: ArmExpandedProperties;
}): Target {
  const scope = p.expandedProperties?.scope?.id ?? p.scope;
  const role = p.expandedProperties?.roleDefinition?.displayName ?? roleDefinitionGuid(p.roleDefinitionId);
  return {
    kind: 'azure',
    resourceId: roleDefinitionGuid(p.roleDefinitionId),
    roleDefinitionArmId: p.roleDefinitionId,
    scope,
    roleName: role,
    name: `${role} · ${scopeLabel(scope, p.expandedProperties?.scope)}`,
  };
}

/** "Group" and "Inherited" holders can't change what they hold through someone else (the group, the parent scope). */
function heldThrough(p: ArmInstance): Pick<AccessRow, 'memberType' | 'heldVia'> {
  const memberType =
    p.memberType === 'Group' ? 'group' : p.memberType === 'Inherited' ? 'inherited' : 'direct';
  const principal = p.expandedProperties?.principal;
  return {
    memberType,
    heldVia:
      memberType === 'group' && principal?.type?.toLowerCase() === 'group'
        ? (principal.displayName ?? principal.id)
        : undefined,
  };
}

const AS_TARGET = `$filter=${encodeURIComponent('asTarget()')}`;

/** The caller's Azure role instances across every scope (`asTarget()` at the tenant). */
export async function azureInstances(api: Api, state: 'eligible' | 'active'): Promise<AccessRow[]> {
  const collection =
    state === 'eligible' ? 'roleEligibilityScheduleInstances' : 'roleAssignmentScheduleInstances';
  const items = await armListAll<ArmResource<ArmInstance>>(api, armPath('/', collection, AS_TARGET));
  return items.map((i) => {
    const p = i.properties;
    const type = p.assignmentType?.toLowerCase();
    return {
      ...azureTarget(p),
      ...heldThrough(p),
      id: i.id,
      scheduleId: p.roleEligibilityScheduleId ?? p.roleAssignmentScheduleId ?? i.id,
      linkedEligibilityScheduleId: p.linkedRoleEligibilityScheduleId ?? undefined,
      state,
      assignmentType: type === 'activated' || type === 'assigned' ? type : undefined,
      start: p.startDateTime ?? null,
      end: p.endDateTime ?? null,
    };
  });
}

/** `SelfActivate` → `selfActivate`: the action names the pages already label. */
function actionOf(requestType: string): string {
  return requestType.charAt(0).toLowerCase() + requestType.slice(1);
}

export function azureRequestOf(
  r: ArmResource<ArmRequest>,
  collection: 'assignment' | 'eligibility',
): RequestRow {
  const p = r.properties;
  const principal = p.expandedProperties?.principal;
  return {
    ...azureTarget(p),
    id: r.name,
    armId: r.id,
    collection,
    action: actionOf(p.requestType),
    status: p.status,
    createdDateTime: p.createdOn ?? '',
    justification: p.justification ?? null,
    ticketNumber: p.ticketInfo?.ticketNumber ?? null,
    ticketSystem: p.ticketInfo?.ticketSystem ?? null,
    start: p.scheduleInfo?.startDateTime ?? null,
    duration: p.scheduleInfo?.expiration?.duration ?? null,
    endDateTime: p.scheduleInfo?.expiration?.endDateTime ?? null,
    approvalId: p.approvalId ?? null,
    principalId: p.principalId,
    principalName: principal?.displayName ?? null,
    principalUpn: principal?.email ?? null,
  };
}

/** The caller's activation requests (`asTarget()`), or those waiting for the caller's approval (`asApprover()`). */
export async function azureRequests(api: Api, on: 'principal' | 'approver'): Promise<RequestRow[]> {
  const filter = `$filter=${encodeURIComponent(on === 'approver' ? 'asApprover()' : 'asTarget()')}`;
  const items = await armListAll<ArmResource<ArmRequest>>(
    api,
    armPath('/', 'roleAssignmentScheduleRequests', filter),
  );
  return items.map((r) => azureRequestOf(r, 'assignment'));
}

export interface AzureRequestFields {
  requestType: 'SelfActivate' | 'SelfDeactivate' | 'SelfExtend' | 'SelfRenew';
  justification?: string;
  ticketInfo?: { ticketNumber: string | null; ticketSystem: string | null };
  /** ISO 8601 start; left out for "now" (the browser's clock may differ from the server's). */
  startDateTime?: string;
  /** ISO 8601 duration. */
  duration?: string;
}

/**
 * PUT a schedule request at the row's scope under a new name (ARM's way to create one): activations name the
 * eligibility they use (`linkedRoleEligibilityScheduleId`), deactivations, extensions and renewals the schedule they
 * change.
 */
export async function sendAzureRequest(
  api: Api,
  row: AccessRow,
  principalId: string,
  f: AzureRequestFields,
): Promise<RequestRow> {
  const scope = row.scope ?? '/';
  const eligibility = row.state === 'eligible' || row.expiredKind === 'eligibility';
  const collection =
    eligibility && f.requestType !== 'SelfActivate'
      ? 'roleEligibilityScheduleRequests'
      : 'roleAssignmentScheduleRequests';
  const properties: Record<string, unknown> = {
    principalId,
    roleDefinitionId: row.roleDefinitionArmId ?? roleDefinitionArmId(scope, row.resourceId),
    requestType: f.requestType,
    ...(f.justification ? { justification: f.justification } : {}),
    ...(f.ticketInfo ? { ticketInfo: f.ticketInfo } : {}),
  };
  if (f.requestType === 'SelfActivate') {
    properties.linkedRoleEligibilityScheduleId = row.scheduleId;
    properties.scheduleInfo = {
      ...(f.startDateTime ? { startDateTime: f.startDateTime } : {}),
      expiration: { type: 'AfterDuration', duration: f.duration },
    };
  } else {
    // Deactivate, extend, renew: the schedule they change.
    properties[eligibility ? 'targetRoleEligibilityScheduleId' : 'targetRoleAssignmentScheduleId'] =
      row.scheduleId;
  }
  const created = await api.put<ArmResource<ArmRequest>>(
    armPath(scope, `${collection}/${newRequestName()}`),
    { properties },
  );
  return azureRequestOf(
    created,
    eligibility && f.requestType !== 'SelfActivate' ? 'eligibility' : 'assignment',
  );
}

/** Cancel an open request (`POST {request id}/cancel`). */
export async function cancelAzureRequest(api: Api, r: RequestRow): Promise<void> {
  if (!r.armId) throw new Error(`The request ${r.id} has no ARM id.`);
  await api.post(armResourcePath(`${r.armId}/cancel`));
}

// ---- Activation settings -------------------------------------------------------------------------------------------

interface ArmPolicyAssignment {
  scope: string;
  roleDefinitionId: string;
  policyId: string;
}

export interface ArmRule extends ActivationRule {
  ruleType?: string;
}

export interface ArmPolicy {
  scope?: string;
  displayName?: string;
  rules: ArmRule[];
}

/**
 * The policy (role settings) of an Azure role at a scope: its policy assignment at that scope names the policy
 * (`roleManagementPolicyAssignments?$filter=roleDefinitionId eq '<full id>'`), read then by id. Undefined when there
 * is none.
 */
export async function loadAzurePolicy(
  api: Api,
  scope: string,
  roleDefinitionId: string,
): Promise<ArmResource<ArmPolicy> | undefined> {
  const filter = `$filter=${encodeURIComponent(`roleDefinitionId eq '${roleDefinitionId}'`)}`;
  const assignments = await armListAll<ArmResource<ArmPolicyAssignment>>(
    api,
    armPath(scope, 'roleManagementPolicyAssignments', filter),
  );
  const policyId = assignments[0]?.properties.policyId;
  if (!policyId) return undefined;
  return api.get<ArmResource<ArmPolicy>>(armResourcePath(policyId));
}

/** The rules a requester's activation dialog reads, or undefined when the caller may not read them. */
export async function loadAzureActivationRules(api: Api, t: Target): Promise<ArmRule[] | undefined> {
  try {
    const policy = await loadAzurePolicy(
      api,
      t.scope ?? '/',
      t.roleDefinitionArmId ?? roleDefinitionArmId(t.scope ?? '/', t.resourceId),
    );
    return policy?.properties.rules;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return undefined;
    throw err;
  }
}

/** ARM's approvers (`{id, description, userType}`) as a phrase: their names when ARM gives them. */
export function azureApproversPhrase(
  approvers: { id?: string; description?: string | null; userType?: string }[] | undefined,
): string {
  const list = approvers ?? [];
  if (list.length === 0) return "the resource's Owners and User Access Administrators";
  const names = list.map((a) =>
    a.userType === 'Group'
      ? `the members of ${a.description || 'an approver group'}`
      : a.description || 'a named approver',
  );
  return names.length === 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] ?? ''}`;
}

/** The scope a "held through" row comes from, for the note: the group's name or the parent scope's. */
export function heldViaNote(row: AccessRow): string | undefined {
  if (row.memberType === 'group') return `Through the group ${row.heldVia ?? ''}`.trim();
  if (row.memberType === 'inherited')
    return `Inherited from ${row.scope ? scopeLastName(row.scope) : 'a parent scope'}`;
  return undefined;
}
