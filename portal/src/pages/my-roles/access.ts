/**
 * The signed-in user's access as My roles and Approve requests show it: PIM for Groups (membership, ownership),
 * Microsoft Entra roles (the public Graph-shaped routes) and Azure resource roles (ARM's PIM API, azure-access.ts),
 * folded into one shape, so the pages don't care which kind a row is. Also the role's activation settings (when the
 * caller may read them) and the requests the pages send.
 */
import type { Api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { durationToHours } from '../../app/format';
import { listAll } from '../../api/odata';
import {
  azureApproversPhrase,
  azureInstances,
  azureRequests,
  cancelAzureRequest,
  loadAzureActivationRules,
  sendAzureRequest,
  type AzureRequestFields,
} from './azure-access';

export const GROUPS = '/identityGovernance/privilegedAccess/group';
export const ROLES = '/roleManagement/directory';

export type Kind = 'group' | 'role' | 'azure';

/** What a row grants: a group's membership or ownership, or a directory role at a scope. */
export interface Target {
  kind: Kind;
  /** groupId or roleDefinitionId. */
  resourceId: string;
  /** Groups: 'member' | 'owner'. */
  accessId?: string;
  /** Roles: '/' or '/administrativeUnits/{id}'. */
  directoryScopeId?: string;
  /** Azure roles: the ARM scope (`/subscriptions/…/resourceGroups/finance-rg`). */
  scope?: string;
  /** Azure roles: the role definition's full ARM id (resourceId is its GUID). */
  roleDefinitionArmId?: string;
  /** Azure roles: the role alone ("Contributor"); `name` adds the scope. */
  roleName?: string;
  /** The group's or role's display name (the id when it couldn't be read); Azure roles "Contributor · finance-rg (Resource group)". */
  name: string;
}

export interface AccessRow extends Target {
  /** The schedule (and instance) id. */
  id: string;
  state: 'eligible' | 'active' | 'expired';
  /** Active rows: 'assigned' (an admin's assignment) or 'activated' (an activation); expired rows likewise. */
  assignmentType?: 'assigned' | 'activated';
  /** Expired rows: eligibility or assignment. */
  expiredKind?: 'eligibility' | 'assignment';
  start: string | null;
  end: string | null;
  /** Azure roles: the schedule the instance belongs to (what ARM's requests name); the others use `id`. */
  scheduleId?: string;
  /** Azure activations: the eligibility they came from. */
  linkedEligibilityScheduleId?: string;
  /** Azure roles: held directly, through a group, or inherited from a parent scope (only direct ones can change). */
  memberType?: 'direct' | 'group' | 'inherited';
  /** Azure roles held through a group: the group's name. */
  heldVia?: string;
}

export interface RequestRow extends Target {
  id: string;
  /** Azure roles: the request's full ARM id (cancel is `POST {armId}/cancel`). */
  armId?: string;
  /** Which collection the request is in: cancel goes there. */
  collection: 'assignment' | 'eligibility';
  action: string;
  status: string;
  createdDateTime: string;
  justification: string | null;
  ticketNumber: string | null;
  ticketSystem: string | null;
  start: string | null;
  duration: string | null;
  endDateTime: string | null;
  approvalId: string | null;
  principalId: string;
  principalName: string | null;
  principalUpn: string | null;
}

/** Requests still on their way (the API's open statuses): shown as pending, followed live, cancelable. */
export const OPEN_STATUSES = [
  'PendingAdminDecision',
  'PendingApproval',
  'PendingProvisioning',
  'PendingScheduleCreation',
  'Granted',
  // ARM's further ones (Azure resource roles).
  'Accepted',
  'PendingEvaluation',
  'PendingApprovalProvisioning',
  'ProvisioningStarted',
  'AdminApproved',
  'ScheduleCreated',
  'PendingRevocation',
];

export function isOpen(r: RequestRow): boolean {
  return OPEN_STATUSES.includes(r.status);
}

const STATUS_LABELS: Record<string, string> = {
  PendingApproval: 'Pending approval',
  PendingAdminDecision: 'Pending approval by the owners',
  PendingProvisioning: 'Activating',
  PendingScheduleCreation: 'Scheduled',
  Granted: 'Approved, activating',
  Provisioned: 'Active',
  Denied: 'Denied',
  Canceled: 'Canceled',
  Revoked: 'Ended',
  TimedOut: 'Expired without a decision',
  Failed: 'Failed',
  Accepted: 'Received',
  PendingEvaluation: 'Being checked',
  PendingApprovalProvisioning: 'Approved, activating',
  ProvisioningStarted: 'Activating',
  AdminApproved: 'Approved, activating',
  AdminDenied: 'Denied',
  ScheduleCreated: 'Scheduled',
  PendingRevocation: 'Ending',
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

const ACTION_LABELS: Record<string, string> = {
  selfActivate: 'Activate',
  selfDeactivate: 'Deactivate',
  selfExtend: 'Extend',
  selfRenew: 'Renew',
  adminAssign: 'Assigned by an admin',
  adminRemove: 'Removed by an admin',
  adminExtend: 'Extended by an admin',
  adminRenew: 'Renewed by an admin',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** "Member" / "Owner" of a group, "Entra role" or "Azure role". */
export function kindLabel(t: Target): string {
  if (t.kind === 'azure') return 'Azure role';
  if (t.kind === 'role')
    return t.directoryScopeId && t.directoryScopeId !== '/'
      ? 'Entra role (administrative unit)'
      : 'Entra role';
  return t.accessId === 'owner' ? 'Group owner' : 'Group member';
}

export function targetKey(t: Target): string {
  return `${t.kind}:${t.resourceId}:${t.accessId ?? t.directoryScopeId ?? t.scope?.toLowerCase() ?? ''}`;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function targetOf(kind: Kind, item: Json): Target {
  if (kind === 'group') {
    const group = item.group as Json | null | undefined;
    const groupId = str(item.groupId) ?? '';
    return {
      kind,
      resourceId: groupId,
      accessId: str(item.accessId) ?? 'member',
      name: str(group?.displayName) ?? groupId,
    };
  }
  const role = item.roleDefinition as Json | null | undefined;
  const roleId = str(item.roleDefinitionId) ?? '';
  return {
    kind,
    resourceId: roleId,
    directoryScopeId: str(item.directoryScopeId) ?? '/',
    name: str(role?.displayName) ?? roleId,
  };
}

const ME = "filterByCurrentUser(on='principal')";
type GraphKind = Exclude<Kind, 'azure'>;
const EXPAND: Record<GraphKind, string> = { group: '$expand=group', role: '$expand=roleDefinition' };
/** The collection names of each kind: `eligibilityScheduleInstances` / `roleEligibilityScheduleInstances`… */
export function collection(kind: GraphKind, name: string): string {
  return kind === 'group'
    ? `${GROUPS}/${name}`
    : `${ROLES}/role${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

function assignmentTypeOf(item: Json): 'assigned' | 'activated' | undefined {
  const t = str(item.assignmentType)?.toLowerCase();
  return t === 'activated' || t === 'assigned' ? t : undefined;
}

async function instances(api: Api, kind: GraphKind, state: 'eligible' | 'active'): Promise<AccessRow[]> {
  const name = state === 'eligible' ? 'eligibilityScheduleInstances' : 'assignmentScheduleInstances';
  const items = await listAll<Json>(api, `${collection(kind, name)}/${ME}?${EXPAND[kind]}`);
  return items.map((i) => ({
    ...targetOf(kind, i),
    id: str(i.id) ?? '',
    state,
    assignmentType: assignmentTypeOf(i),
    start: str(i.startDateTime),
    end: str(i.endDateTime),
  }));
}

/** Assignments (not activations) that expired in the last 30 days: the API keeps them listed so they can be renewed. */
async function expired(api: Api, kind: GraphKind, which: 'eligibility' | 'assignment'): Promise<AccessRow[]> {
  const name = which === 'eligibility' ? 'eligibilitySchedules' : 'assignmentSchedules';
  const filter = encodeURIComponent("status eq 'Expired'");
  const items = await listAll<Json>(api, `${collection(kind, name)}/${ME}?$filter=${filter}&${EXPAND[kind]}`);
  return items
    .filter((i) => assignmentTypeOf(i) !== 'activated')
    .map((i) => {
      const info = (i.scheduleInfo ?? {}) as { startDateTime?: string; expiration?: Json };
      return {
        ...targetOf(kind, i),
        id: str(i.id) ?? '',
        state: 'expired' as const,
        expiredKind: which,
        start: info.startDateTime ?? null,
        end: str(info.expiration?.endDateTime) ?? str(i.modifiedDateTime),
      };
    });
}

export function requestOf(kind: GraphKind, which: 'assignment' | 'eligibility', r: Json): RequestRow {
  const info = (r.scheduleInfo ?? {}) as { startDateTime?: string; expiration?: Json };
  const ticket = (r.ticketInfo ?? {}) as Json;
  const principal = (r.principal ?? {}) as Json;
  return {
    ...targetOf(kind, r),
    id: str(r.id) ?? '',
    collection: which,
    action: str(r.action) ?? '',
    status: str(r.status) ?? '',
    createdDateTime: str(r.createdDateTime) ?? '',
    justification: str(r.justification),
    ticketNumber: str(ticket.ticketNumber),
    ticketSystem: str(ticket.ticketSystem),
    start: info.startDateTime ?? null,
    duration: str(info.expiration?.duration),
    endDateTime: str(info.expiration?.endDateTime),
    approvalId: str(r.approvalId),
    principalId: str(r.principalId) ?? '',
    principalName: str(principal.displayName),
    principalUpn: str(principal.userPrincipalName),
  };
}

async function requests(api: Api, kind: GraphKind, which: 'assignment' | 'eligibility', on: string) {
  const name = which === 'assignment' ? 'assignmentScheduleRequests' : 'eligibilityScheduleRequests';
  const expand = on === 'approver' ? `${EXPAND[kind]},principal` : EXPAND[kind];
  const items = await listAll<Json>(
    api,
    `${collection(kind, name)}/filterByCurrentUser(on='${on}')?${expand}`,
  );
  return items.map((r) => requestOf(kind, which, r));
}

export interface MyAccess {
  eligible: AccessRow[];
  active: AccessRow[];
  /** Newest first. */
  requests: RequestRow[];
  /** When this was read (ms): "near its end" is judged against it. */
  readAt: number;
  /** Azure roles couldn't be read (the sentence why): the groups and Entra roles are still shown. */
  azureError?: string;
}

const KINDS: GraphKind[] = ['group', 'role'];

interface AzureAccess {
  eligible: AccessRow[];
  active: AccessRow[];
  requests: RequestRow[];
  error?: string;
}

/** The caller's Azure roles and requests; a refusal doesn't hide the other kinds (the page says why). */
async function loadMyAzureAccess(api: Api): Promise<AzureAccess> {
  try {
    const [eligible, active, requests] = await Promise.all([
      azureInstances(api, 'eligible'),
      azureInstances(api, 'active'),
      azureRequests(api, 'principal'),
    ]);
    return { eligible, active, requests };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { eligible: [], active: [], requests: [], error: err.message };
  }
}
const byName = (a: Target, b: Target) => a.name.localeCompare(b.name);

/** What is in force now and the requests: what My roles shows first, and follows while a request is open. */
export async function loadMyAccess(api: Api): Promise<MyAccess> {
  const [eligible, active, reqs, azure] = await Promise.all([
    Promise.all(KINDS.map((k) => instances(api, k, 'eligible'))),
    Promise.all(KINDS.map((k) => instances(api, k, 'active'))),
    Promise.all(
      KINDS.flatMap((k) => [
        requests(api, k, 'assignment', 'principal'),
        requests(api, k, 'eligibility', 'principal'),
      ]),
    ),
    loadMyAzureAccess(api),
  ]);
  return {
    eligible: [...eligible.flat(), ...azure.eligible].sort(byName),
    active: [...active.flat(), ...azure.active].sort(byName),
    requests: [...reqs.flat(), ...azure.requests].sort((a, b) =>
      b.createdDateTime.localeCompare(a.createdDateTime),
    ),
    readAt: Date.now(),
    azureError: azure.error,
  };
}

/** Assignments of both kinds that expired in the last 30 days (read apart: the first render doesn't wait for them). */
export async function loadMyExpired(api: Api): Promise<AccessRow[]> {
  const rows = await Promise.all(
    KINDS.flatMap((k) => [expired(api, k, 'eligibility'), expired(api, k, 'assignment')]),
  );
  return rows.flat().sort(byName);
}

/** The approver's inbox: requests of every kind waiting for the caller's decision now. */
export async function loadApproverInbox(api: Api): Promise<RequestRow[]> {
  const lists = await Promise.all([
    ...KINDS.flatMap((k) => [
      requests(api, k, 'assignment', 'approver'),
      requests(api, k, 'eligibility', 'approver'),
    ]),
    // An API without ARM's approver filter (asApprover()) answers 400 or 404: Azure requests then don't show.
    azureRequests(api, 'approver').catch((err: unknown) => {
      if (err instanceof ApiError && (err.status === 400 || err.status === 404)) return [];
      throw err;
    }),
  ]);
  return lists.flat().sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
}

/** The body fields that name a row's group role or directory role (and the principal). */
export function targetFields(t: Target & { kind: GraphKind }, principalId: string): Json {
  return t.kind === 'group'
    ? { principalId, groupId: t.resourceId, accessId: t.accessId }
    : { principalId, roleDefinitionId: t.resourceId, directoryScopeId: t.directoryScopeId ?? '/' };
}

export function requestsPath(kind: GraphKind, which: 'assignment' | 'eligibility'): string {
  return collection(
    kind,
    which === 'assignment' ? 'assignmentScheduleRequests' : 'eligibilityScheduleRequests',
  );
}

export interface SelfRequest {
  action: 'selfActivate' | 'selfDeactivate' | 'selfExtend' | 'selfRenew';
  justification?: string;
  ticketInfo?: { ticketNumber: string | null; ticketSystem: string | null };
  /** ISO 8601; left out for "now". */
  startDateTime?: string;
  /** ISO 8601 duration (activations). */
  duration?: string;
}

/**
 * Sends one of the caller's own requests about a row, in its kind's shape: Graph's `POST …ScheduleRequests
 * {action, …}` for groups and Entra roles, ARM's `PUT …ScheduleRequests/{new name} {properties:{requestType, …}}` for
 * Azure roles. Activations and deactivations are assignment requests; extensions and renewals go where the row is.
 */
export async function sendSelfRequest(
  api: Api,
  row: AccessRow,
  principalId: string,
  r: SelfRequest,
): Promise<RequestRow> {
  if (row.kind === 'azure')
    return sendAzureRequest(api, row, principalId, {
      requestType: `S${r.action.slice(1)}` as AzureRequestFields['requestType'],
      justification: r.justification,
      ticketInfo: r.ticketInfo,
      startDateTime: r.startDateTime,
      duration: r.duration,
    });
  const kind = row.kind;
  const which =
    (r.action === 'selfExtend' || r.action === 'selfRenew') &&
    (row.state === 'eligible' || row.expiredKind === 'eligibility')
      ? 'eligibility'
      : 'assignment';
  const created = await api.post<Json>(requestsPath(kind, which), {
    action: r.action,
    ...targetFields({ ...row, kind }, principalId),
    ...(r.action === 'selfActivate' ? {} : { targetScheduleId: row.id }),
    ...(r.justification ? { justification: r.justification } : {}),
    ...(r.ticketInfo ? { ticketInfo: r.ticketInfo } : {}),
    ...(r.action === 'selfActivate'
      ? {
          scheduleInfo: {
            ...(r.startDateTime ? { startDateTime: r.startDateTime } : {}),
            expiration: { type: 'afterDuration', duration: r.duration },
          },
        }
      : {}),
  });
  return requestOf(kind, which, { ...created, group: null, roleDefinition: null });
}

/** Cancels one of the caller's open requests. */
export async function cancelRequest(api: Api, r: RequestRow): Promise<void> {
  if (r.kind === 'azure') return cancelAzureRequest(api, r);
  await api.post(`${requestsPath(r.kind, r.collection)}/${r.id}/cancel`);
}

// ---- Activation settings -------------------------------------------------------------------------------------------

export interface Approvers {
  /** "Sofia Rossi's group owners"… as a phrase for "Needs approval from …". */
  description: string;
}

export interface ActivationSettings {
  /** Hours (the Expiration_EndUser_Assignment rule's maximumDuration). */
  maximumHours: number;
  maximumDuration: string;
  requireJustification: boolean;
  requireTicket: boolean;
  requireMfa: boolean;
  /** The authentication context (`c1`…) the activation needs, if any. */
  authenticationContext: string | null;
  requireApproval: boolean;
  /** One phrase per stage: who decides it. */
  approvalStages: string[];
}

/** An activation rule as Graph and ARM both give it (same rule ids; ARM's approvers are `{id, description, userType}`). */
export interface ActivationRule {
  id: string;
  maximumDuration?: string;
  enabledRules?: string[];
  isEnabled?: boolean;
  claimValue?: string;
  setting?: {
    isApprovalRequired?: boolean;
    approvalStages?: { primaryApprovers?: Approver[] }[];
  };
}

interface Approver {
  '@odata.type'?: string;
  userId?: string;
  groupId?: string;
  id?: string;
  description?: string | null;
  userType?: string;
}
type Rule = ActivationRule;

function approversPhrase(kind: Kind, approvers: Approver[] | undefined): string {
  if (kind === 'azure') return azureApproversPhrase(approvers);
  const list = approvers ?? [];
  if (list.length === 0)
    return kind === 'role'
      ? 'the Global Administrators and Privileged Role Administrators'
      : 'the approvers in the role settings';
  const parts = list.map((a) => {
    const type = (a['@odata.type'] ?? '').toLowerCase();
    if (type.endsWith('groupowners')) return "the group's other owners";
    if (type.endsWith('groupmembers')) return 'the members of an approver group';
    return 'a named approver';
  });
  const unique = [...new Set(parts)];
  return unique.length === 1
    ? (unique[0] ?? '')
    : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1] ?? ''}`;
}

/**
 * The role's activation rules from its policy assignment (`$expand=policy($expand=rules)`), or undefined when the
 * caller may not read them (the API lets admins, auditors, a group's owners and the role's holders read them): the
 * API still checks everything on submit, and the dialog shows its answer on the field.
 */
export async function loadActivationSettings(api: Api, t: Target): Promise<ActivationSettings | undefined> {
  const rules = t.kind === 'azure' ? await loadAzureActivationRules(api, t) : await loadGraphRules(api, t);
  return rules ? activationSettingsOf(t.kind, rules) : undefined;
}

async function loadGraphRules(api: Api, t: Target): Promise<Rule[] | undefined> {
  const filter =
    t.kind === 'group'
      ? `scopeId eq '${t.resourceId}' and scopeType eq 'Group' and roleDefinitionId eq '${t.accessId ?? 'member'}'`
      : `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${t.resourceId}'`;
  let assignments: { value?: { policy?: { rules?: Rule[] } }[] };
  try {
    assignments = await api.get(
      `/policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(filter)}&$expand=${encodeURIComponent('policy($expand=rules)')}`,
    );
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return undefined;
    throw err;
  }
  return assignments.value?.[0]?.policy?.rules;
}

function activationSettingsOf(kind: Kind, rules: Rule[]): ActivationSettings {
  const rule = (id: string) => rules.find((r) => r.id === id);
  const maximumDuration = rule('Expiration_EndUser_Assignment')?.maximumDuration ?? 'PT8H';
  const enabled = rule('Enablement_EndUser_Assignment')?.enabledRules ?? [];
  const context = rule('AuthenticationContext_EndUser_Assignment');
  const approval = rule('Approval_EndUser_Assignment')?.setting;
  const requireApproval = approval?.isApprovalRequired === true;
  return {
    maximumDuration,
    maximumHours: durationToHours(maximumDuration) ?? 8,
    requireJustification: enabled.includes('Justification'),
    requireTicket: enabled.includes('Ticketing'),
    requireMfa: enabled.includes('MultiFactorAuthentication'),
    authenticationContext: context?.isEnabled ? (context.claimValue ?? null) : null,
    requireApproval,
    approvalStages: requireApproval
      ? (approval?.approvalStages ?? [{}]).map((s) => approversPhrase(kind, s.primaryApprovers))
      : [],
  };
}

/** "Needs approval from the group's other owners" (one stage) or "…, then …" (serial stages). */
export function approvalNote(s: ActivationSettings): string | undefined {
  if (!s.requireApproval) return undefined;
  return `Needs approval from ${s.approvalStages.join(', then from ')}.`;
}

// ---- Errors on fields ----------------------------------------------------------------------------------------------

export type FormField = 'duration' | 'start' | 'justification' | 'ticketNumber' | 'ticketSystem';

/**
 * Which form field an API refusal concerns: the field the API names in its details, else the one its sentence is
 * about (the activation rules answer one sentence without a target).
 */
export function fieldOfError(err: unknown): FormField | undefined {
  if (!(err instanceof ApiError) || err.status !== 400) return undefined;
  for (const f of ['duration', 'startDateTime', 'justification', 'ticketNumber', 'ticketSystem'] as const)
    if (err.field(f)) return f === 'startDateTime' ? 'start' : f;
  const m = err.message.toLowerCase();
  if (/ticket/.test(m)) return /ticketsystem/.test(m) ? 'ticketSystem' : 'ticketNumber';
  if (/justification/.test(m)) return 'justification';
  if (/startdatetime|start time/.test(m)) return 'start';
  if (/duration|at most|must end|expiration|last/.test(m)) return 'duration';
  return undefined;
}
