/**
 * PIM for Azure resources, in Azure Resource Manager's own shapes (api-version 2020-10-01), under /api with
 * pimflow's tokens — so ARM's SDKs (`@azure/arm-authorization` pointed at `https://<host>/api`) and scripts written
 * for ARM work against it. Two catch-all routes, `subscriptions/{*armPath}` and `providers/{*armPath}`, parsed by
 * one parser (shared/requests/http/arm-path.ts) into `{scope}/providers/Microsoft.Authorization/{collection}
 * [/{name}[/cancel|/validate]]`:
 * - roleAssignmentScheduleRequests, roleEligibilityScheduleRequests: PUT {name} (create; the client's GUID becomes
 *   the request's id, and a PUT of an existing name answers the stored request), GET {name}, GET (list), POST
 *   {name}/cancel, POST {name}/validate;
 * - roleAssignmentSchedules, roleEligibilitySchedules, roleAssignmentScheduleInstances,
 *   roleEligibilityScheduleInstances: GET {name}, GET (list; what is made at a scope above shows as `Inherited`).
 * Lists take ARM's `$filter`: asTarget(), atScope(), principalId eq, assignedTo(), asApprover() (requests),
 * roleDefinitionId eq, status eq. The request core (shared/requests) does the rest, as for groups and Entra roles.
 * Errors are ARM's `{ error: { code, message } }` (functions/http-edge.ts). See docs/api/azure-roles.md.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import {
  getArmApproval,
  listArmApprovalsAwaitingCaller,
  putArmApprovalStage,
} from '../shared/approvals/http/arm-approval-api';
import { normalizeAzureScope, azureScopeAncestorsByPath, resourceTypeOf } from '../shared/access/resource';
import { APP_ROLES, type CallerPrincipal } from '../shared/auth/principal';
import type { AzureRbac, AzureRoleDefinition } from '../shared/azure/azure-rbac';
import { getAppServices, type AppServices } from '../shared/composition-root';
import { findGoverningScope } from '../shared/managed-azure/managed-azure-scopes';
import { authenticate, refuseAppOnly } from '../shared/http/caller';
import { parseJsonBody } from '../shared/http/json-body';
import { EXPIRED_LISTED_MS, type Schedule } from '../shared/lifecycle/domain/schedule';
import { requestsAwaitingApprover } from '../shared/requests/approver-inbox';
import { createRequest } from '../shared/requests/create-request';
import type { RequestKind } from '../shared/requests/domain/request-body';
import type { ScheduleRequest } from '../shared/requests/domain/schedule-request';
import {
  checkApiVersion,
  isPimCollection,
  parseArmFilter,
  parseArmPath,
  PIM_COLLECTIONS,
  roleDefinitionGuid,
  type ArmFilter,
  type ArmTarget,
} from '../shared/requests/http/arm-path';
import {
  armPolicyAssignmentForRole,
  getArmPolicy,
  getArmPolicyAssignment,
  listArmPolicies,
  patchArmPolicy,
} from '../shared/policies/http/arm-policy-api';
import { armRequestBody, armRequestBodySchema } from '../shared/requests/http/arm-request-body';
import { armProblem, armRefusal, withArmCode } from '../shared/requests/http/arm-responses';
import {
  ARM_SCHEDULE_STATUS,
  armRequestView,
  armScheduleView,
  loadArmNames,
  type ArmNames,
} from '../shared/requests/http/arm-views';
import { scheduleListed } from '../shared/requests/http/resource-api';
import { cancelRequest, findVisibleRequest } from '../shared/requests/request-access';
import type { Page, Stored } from '../shared/storage/stored';
import { orchestrationsOf } from './request-orchestrations';

/** Most items a list answers (ARM pages with nextLink; pimflow answers one page: see azure-roles.md). */
const LIST_LIMIT = 1000;
const PAGE = 200;

const guidSchema = z.guid();

/** ARM through the AzureRbac port (scope names, management group ancestors, role names). */
const rbacOf = (pim: AppServices): AzureRbac => pim.azureRbac;

type Handled = HttpResponseInit;

async function handle(prefix: string, request: HttpRequest, context: InvocationContext): Promise<Handled> {
  const pim = await getAppServices();
  const auth = await authenticate(request, pim.tokens);
  if (!auth.ok) return withArmCode(auth.response, 'AuthenticationFailed');
  const parsed = parseArmPath(`${prefix}/${request.params.armPath ?? ''}`);
  if (!parsed.ok) return armProblem(parsed.error);
  const t = parsed.value;
  const version = checkApiVersion(t.collection, request.query.get('api-version'));
  if (version) return armProblem(version);
  const caller = auth.caller;
  const method = request.method.toUpperCase();
  if (t.collection === 'roleAssignmentApprovals') {
    if (t.scope !== '')
      return armProblem({
        status: 404,
        code: 'NotFound',
        message:
          'Approvals are at the tenant root: /providers/Microsoft.Authorization/roleAssignmentApprovals',
      });
    if (method === 'GET' && !t.name) {
      const f = parseArmFilter(request.query.get('$filter'));
      if (!f.ok) return armProblem(f.error);
      if (!f.value.asApprover)
        return armProblem({
          status: 400,
          code: 'UnsupportedQuery',
          message: 'List approvals with $filter=asApprover() (those waiting for your decision)',
        });
      return listArmApprovalsAwaitingCaller(pim, caller);
    }
    if (method === 'GET' && t.name && (t.action === undefined || t.stage))
      return getArmApproval(pim, caller, t.name, t.stage);
    if (method === 'PUT' && t.name && t.stage) {
      const client = df.getClient(context);
      return putArmApprovalStage(pim, request, caller, t.name, t.stage, (id, name, payload) =>
        client.raiseEvent(id, name, payload),
      );
    }
  }
  if (t.collection === 'roleDefinitions' && method === 'GET') return roleDefinitions(pim, request, t);
  if (t.collection === 'roleManagementPolicies' || t.collection === 'roleManagementPolicyAssignments') {
    const policies = await policyRoute(pim, request, t, method, caller);
    if (policies) return policies;
  }
  if (!isPimCollection(t.collection))
    return armProblem({
      status: 404,
      code: 'NotFound',
      message: `${t.collection} is not served here yet: see docs/api/azure-roles.md`,
    });
  const { kind, what } = PIM_COLLECTIONS[t.collection];
  if (what === 'ScheduleRequests') {
    if (t.action === 'cancel' && method === 'POST') return cancel(pim, context, t, kind, caller);
    if (t.action === 'validate' && method === 'POST')
      return create(pim, context, request, t, kind, caller, true);
    if (!t.action && t.name && method === 'PUT') return create(pim, context, request, t, kind, caller, false);
    if (!t.action && t.name && method === 'GET') return getRequest(pim, t, kind, caller);
    if (!t.action && !t.name && method === 'GET') return listRequests(pim, request, t, kind, caller);
  } else if (method === 'GET') {
    const instances = what === 'ScheduleInstances';
    return t.name
      ? getSchedule(pim, t, kind, instances, caller)
      : listSchedules(pim, request, t, kind, instances, caller);
  }
  return armProblem({
    status: 405,
    code: 'MethodNotAllowed',
    message: `${method} is not supported on ${t.collection}${t.name ? '/{name}' : ''}${t.action ? `/${t.action}` : ''}`,
  });
}

// ---- scopes ---------------------------------------------------------------------------------------------------

/** Ancestors of a scope (stored form), nearest first: by its id, and the management groups ARM knows above it. */
function ancestorsFinder(pim: AppServices): (scope: string) => Promise<string[]> {
  const cache = new Map<string, Promise<string[]>>();
  const rbac = rbacOf(pim);
  return (scope) => {
    let found = cache.get(scope);
    if (!found) {
      found = (async () => {
        const byPath = azureScopeAncestorsByPath(scope).map(normalizeAzureScope);
        const armScope = rbac ? await rbac.getScope(scope).catch(() => null) : null;
        const byArm = (armScope?.ancestors ?? []).map(normalizeAzureScope);
        return [...new Set([...byPath, ...byArm])];
      })();
      cache.set(scope, found);
    }
    return found;
  };
}

type Relation = 'at' | 'above' | 'below';

/** Where a stored item's scope is from the scope asked about ('' = the tenant root: everything is "at"). */
async function relationOf(
  itemScope: string,
  asked: string,
  askedAncestors: readonly string[],
  ancestors: (scope: string) => Promise<string[]>,
): Promise<Relation | undefined> {
  if (asked === '' || itemScope === asked) return 'at';
  if (askedAncestors.includes(itemScope)) return 'above';
  if (itemScope.startsWith(`${asked}/`)) return 'below';
  if (asked.startsWith('/providers/microsoft.management/') && (await ancestors(itemScope)).includes(asked))
    return 'below';
  return undefined;
}

// ---- requests -------------------------------------------------------------------------------------------------

const isAdmin = (c: CallerPrincipal) => c.roles.includes(APP_ROLES.admin);
const isReader = (c: CallerPrincipal) => isAdmin(c) || c.roles.includes(APP_ROLES.auditor);

const notFoundCode = (kind: RequestKind) =>
  kind === 'assignment' ? 'RoleAssignmentScheduleRequestNotFound' : 'RoleEligibilityScheduleRequestNotFound';

async function create(
  pim: AppServices,
  context: InvocationContext,
  request: HttpRequest,
  t: ArmTarget,
  kind: RequestKind,
  caller: CallerPrincipal,
  validateOnly: boolean,
): Promise<Handled> {
  if (t.scope === '')
    return armProblem({
      status: 400,
      code: 'InvalidScope',
      message:
        'Requests are made at a management group, subscription, resource group or resource, not the tenant root',
    });
  const name = guidSchema.safeParse(t.name);
  if (!name.success)
    return armProblem({
      status: 400,
      code: 'InvalidRequest',
      message: `The request name '${t.name}' must be a GUID`,
    });
  const body = await parseJsonBody(request, armRequestBodySchema);
  if (!body.ok) return withArmCode(body.response, 'InvalidRequestContent');
  const core = { ...armRequestBody(body.value, t.scope, name.data), isValidationOnly: validateOnly };
  // Self-service acts for the signed-in user (no app can); everything else is an admin's (as for Entra roles).
  if (core.action.startsWith('self')) {
    const refused = refuseAppOnly(caller, `${core.action} (a self-service action)`);
    if (refused) return withArmCode(refused, 'AuthorizationFailed');
  } else if (!isAdmin(caller)) {
    return armProblem({
      status: 403,
      code: 'AuthorizationFailed',
      message: `The client '${caller.objectId}' does not have authorization to perform action '${core.action}' over scope '${t.scope}': only admins (PimFlow.Admin) manage Azure role assignments`,
    });
  }
  if (!validateOnly) {
    // ARM's PUT is idempotent by name: the stored request answers again.
    const existing = await pim.store.findRequest(name.data.toLowerCase());
    if (existing) {
      const visible = await findVisibleRequest(pim, kind, existing.id, caller, 'azureRole');
      if (!visible || existing.groupId !== core.groupId)
        return armProblem({
          status: 409,
          code: 'RoleAssignmentRequestExists',
          message: `A request named ${name.data} already exists; name a new request with a new GUID`,
        });
      return { status: 201, jsonBody: await requestBody(pim, visible) };
    }
  }
  if (!(await findGoverningScope(pim, core.groupId)))
    return armProblem({
      status: 400,
      code: 'ScopeNotManaged',
      message: `The scope '${t.scope}' is not under management in pimflow, nor is any scope above it: an admin brings it under management first (POST /api/managedAzureScopes)`,
    });
  const inherited = await inheritedRefusal(pim, core, kind);
  if (inherited) return inherited;
  const outcome = await createRequest(pim, orchestrationsOf(context), kind, core, caller, pim.clock.now());
  switch (outcome.outcome) {
    case 'refused':
      return armRefusal(outcome, core.action);
    case 'validated':
      return { status: 200, jsonBody: await requestBody(pim, outcome.request) };
    default:
      return { status: 201, jsonBody: await requestBody(pim, outcome.request) };
  }
}

/**
 * An end or change (remove, deactivate, extend, renew) of what is made at a scope above the one named: ARM changes
 * an assignment only where it is made. Undefined when the request is not such a change or names its own scope.
 */
async function inheritedRefusal(
  pim: AppServices,
  core: {
    action: string;
    groupId: string;
    principalId: string;
    accessId: string;
    targetScheduleId?: string | null;
  },
  kind: RequestKind,
): Promise<Handled | undefined> {
  if (!/Remove|Deactivate|Extend|Renew/.test(core.action)) return undefined;
  const ancestors = await ancestorsFinder(pim)(core.groupId);
  let above: Schedule | undefined;
  if (core.targetScheduleId) {
    const s = await pim.store.findSchedule(core.targetScheduleId);
    if (s && s.groupId !== core.groupId && ancestors.includes(s.groupId)) above = s;
  } else {
    const here = await pim.store.listSchedules({
      groupId: core.groupId,
      principalId: core.principalId,
      accessId: core.accessId,
      kind,
      pageSize: 1,
    });
    if (here.items.length > 0) return undefined;
    for (const scope of ancestors) {
      const page = await pim.store.listSchedules({
        groupId: scope,
        principalId: core.principalId,
        accessId: core.accessId,
        kind,
        pageSize: 1,
      });
      above = page.items[0];
      if (above) break;
    }
  }
  if (!above) return undefined;
  return armProblem({
    status: 400,
    code: 'InheritedRoleAssignmentCannotBeChanged',
    message: `This ${kind} is inherited from '${above.groupId}': it can only be removed, deactivated, extended or renewed at that scope`,
  });
}

async function requestBody(pim: AppServices, r: ScheduleRequest): Promise<Record<string, unknown>> {
  const names = await loadArmNames({ directory: pim.directory, rbac: rbacOf(pim) }, [r]);
  return armRequestView(r, names);
}

async function getRequest(
  pim: AppServices,
  t: ArmTarget,
  kind: RequestKind,
  caller: CallerPrincipal,
): Promise<Handled> {
  const found = await visibleAt(pim, t, kind, caller);
  if (!found) return requestNotFound(t, kind);
  return { jsonBody: await requestBody(pim, found) };
}

/** The request named at this scope (or from the tenant root), if the caller may see it. */
async function visibleAt(pim: AppServices, t: ArmTarget, kind: RequestKind, caller: CallerPrincipal) {
  const id = guidSchema.safeParse(t.name);
  if (!id.success) return undefined;
  const found = await findVisibleRequest(pim, kind, id.data.toLowerCase(), caller, 'azureRole');
  if (!found || (t.scope !== '' && found.groupId !== normalizeAzureScope(t.scope))) return undefined;
  return found;
}

function requestNotFound(t: ArmTarget, kind: RequestKind): Handled {
  return armProblem({
    status: 404,
    code: notFoundCode(kind),
    message: `The ${kind === 'assignment' ? 'role assignment' : 'role eligibility'} schedule request '${t.name}' was not found at scope '${t.scope || '/'}'`,
  });
}

async function cancel(
  pim: AppServices,
  context: InvocationContext,
  t: ArmTarget,
  kind: RequestKind,
  caller: CallerPrincipal,
): Promise<Handled> {
  const found = await visibleAt(pim, t, kind, caller);
  if (!found) return requestNotFound(t, kind);
  const outcome = await cancelRequest(pim, orchestrationsOf(context), found, caller);
  return outcome.outcome === 'canceled' ? { status: 200 } : armRefusal(outcome);
}

/**
 * Who may list what: admins and auditors everything; anyone else their own — asTarget(), asApprover(), or
 * principalId eq / assignedTo() with their own id (as the Entra role API allows).
 */
function mayList(caller: CallerPrincipal, f: ArmFilter, t: ArmTarget): Handled | undefined {
  if (isReader(caller) || f.asTarget || f.asApprover || f.principalId === caller.objectId.toLowerCase())
    return undefined;
  return armProblem({
    status: 403,
    code: 'AuthorizationFailed',
    message: `The client '${caller.objectId}' does not have authorization to perform action 'Microsoft.Authorization/${t.collection}/read' over scope '${t.scope || '/'}': filter with asTarget() (your own), or ask a PimFlow.Admin or PimFlow.Auditor`,
  });
}

interface ListPlan {
  filter: ArmFilter;
  principalId?: string;
  accessId?: string;
  asked: string;
  askedAncestors: string[];
  ancestors: (scope: string) => Promise<string[]>;
}

/** The list's filter and scope, or the 400/403 to answer. */
async function planList(
  pim: AppServices,
  request: HttpRequest,
  t: ArmTarget,
  caller: CallerPrincipal,
): Promise<{ ok: true; plan: ListPlan } | { ok: false; response: Handled }> {
  const parsed = parseArmFilter(request.query.get('$filter'));
  if (!parsed.ok) return { ok: false, response: armProblem(parsed.error) };
  const f = parsed.value;
  const refused = mayList(caller, f, t);
  if (refused) return { ok: false, response: refused };
  let accessId: string | undefined;
  if (f.roleDefinitionId !== undefined) {
    accessId = roleDefinitionGuid(f.roleDefinitionId) ?? undefined;
    if (!accessId)
      return {
        ok: false,
        response: armProblem({
          status: 400,
          code: 'InvalidRoleDefinitionId',
          message: `The role definition id '${f.roleDefinitionId}' is not valid`,
        }),
      };
  }
  const principalId = f.asTarget ? caller.objectId.toLowerCase() : f.principalId;
  const asked = t.scope === '' ? '' : normalizeAzureScope(t.scope);
  const ancestors = ancestorsFinder(pim);
  return {
    ok: true,
    plan: {
      filter: f,
      ...(principalId ? { principalId } : {}),
      ...(accessId ? { accessId } : {}),
      asked,
      askedAncestors: asked === '' ? [] : await ancestors(asked),
      ancestors,
    },
  };
}

/** Every page of a store query, up to LIST_LIMIT items. */
async function allPages<T>(load: (continuationToken?: string) => Promise<Page<Stored<T>>>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await load(token);
    items.push(...page.items);
    token = page.continuationToken;
  } while (token && items.length < LIST_LIMIT);
  return items.slice(0, LIST_LIMIT);
}

/** The items in view from the asked scope: at it and above it; below it too unless atScope(). */
async function inView<T extends { groupId: string }>(items: T[], plan: ListPlan): Promise<T[]> {
  const kept: T[] = [];
  for (const item of items) {
    const relation = await relationOf(item.groupId, plan.asked, plan.askedAncestors, plan.ancestors);
    if (relation && !(plan.filter.atScope && relation === 'below')) kept.push(item);
  }
  return kept;
}

async function listRequests(
  pim: AppServices,
  request: HttpRequest,
  t: ArmTarget,
  kind: RequestKind,
  caller: CallerPrincipal,
): Promise<Handled> {
  const planned = await planList(pim, request, t, caller);
  if (!planned.ok) return planned.response;
  const { plan } = planned;
  const base = {
    kind,
    resourceType: 'azureRole' as const,
    ...(plan.principalId ? { principalId: plan.principalId } : {}),
    ...(plan.accessId ? { accessId: plan.accessId } : {}),
    ...(plan.filter.status ? { where: { status: { eq: plan.filter.status } } } : {}),
  };
  const me = caller.objectId;
  const items = await allPages((continuationToken) =>
    plan.filter.asApprover
      ? requestsAwaitingApprover(pim, {
          ...base,
          approverId: me,
          pageSize: PAGE,
          ...(continuationToken ? { continuationToken } : {}),
        })
      : pim.store.listRequests({
          ...base,
          pageSize: PAGE,
          ...(continuationToken ? { continuationToken } : {}),
        }),
  );
  const kept = (await inView(items, plan)).filter((r) => resourceTypeOf(r) === 'azureRole');
  const names = await loadArmNames({ directory: pim.directory, rbac: rbacOf(pim) }, kept);
  return { jsonBody: { value: kept.map((r) => armRequestView(r, names)) } };
}

// ---- schedules and instances ----------------------------------------------------------------------------------

async function listSchedules(
  pim: AppServices,
  request: HttpRequest,
  t: ArmTarget,
  kind: RequestKind,
  instances: boolean,
  caller: CallerPrincipal,
): Promise<Handled> {
  const planned = await planList(pim, request, t, caller);
  if (!planned.ok) return planned.response;
  const { plan } = planned;
  if (plan.filter.asApprover)
    return armProblem({ status: 400, code: 'UnsupportedQuery', message: 'asApprover() lists requests only' });
  const now = pim.clock.now();
  const items = await allPages((continuationToken) =>
    pim.store.listSchedules({
      kind,
      resourceType: 'azureRole',
      ...(plan.principalId ? { principalId: plan.principalId } : {}),
      ...(plan.accessId ? { accessId: plan.accessId } : {}),
      ...(instances ? { inForceAt: now } : { expiredSince: new Date(now.getTime() - EXPIRED_LISTED_MS) }),
      pageSize: PAGE,
      ...(continuationToken ? { continuationToken } : {}),
    }),
  );
  const kept = (await inView(items, plan)).filter(
    (s) => !plan.filter.status || armStatusMatches(s, plan.filter.status),
  );
  const names = await loadArmNames({ directory: pim.directory, rbac: rbacOf(pim) }, kept);
  return { jsonBody: { value: kept.map((s) => view(s, names, instances, plan.asked)) } };
}

function view(s: Schedule, names: ArmNames, instances: boolean, asked: string): Record<string, unknown> {
  return armScheduleView(s, names, instances, asked);
}

function armStatusMatches(s: Schedule, status: string): boolean {
  return ARM_SCHEDULE_STATUS[s.status].toLowerCase() === status.toLowerCase();
}

async function getSchedule(
  pim: AppServices,
  t: ArmTarget,
  kind: RequestKind,
  instances: boolean,
  caller: CallerPrincipal,
): Promise<Handled> {
  const id = guidSchema.safeParse(t.name);
  const s = id.success ? await pim.store.findSchedule(id.data.toLowerCase()) : undefined;
  const asked = t.scope === '' ? '' : normalizeAzureScope(t.scope);
  const visible =
    s &&
    s.kind === kind &&
    resourceTypeOf(s) === 'azureRole' &&
    scheduleListed(s, instances, pim.clock.now()) &&
    (isReader(caller) || (caller.kind === 'user' && s.principalId === caller.objectId.toLowerCase())) &&
    (asked === '' || s.groupId === asked || (await ancestorsFinder(pim)(asked)).includes(s.groupId));
  if (!s || !visible)
    return armProblem({
      status: 404,
      code: 'NotFound',
      message: `The ${t.collection.replace(/^role/, 'role ').replace(/s$/, '')} '${t.name}' was not found at scope '${t.scope || '/'}'`,
    });
  const names = await loadArmNames({ directory: pim.directory, rbac: rbacOf(pim) }, [s]);
  return { jsonBody: view(s, names, instances, asked) };
}

// ---- role settings (policies) ----------------------------------------------------------------------------------

/** Whether the caller holds the role (eligible or active) at, above or below the scope. */
async function holdsRole(pim: AppServices, caller: CallerPrincipal, scope: string, role: string) {
  if (caller.kind !== 'user') return false;
  const asked = normalizeAzureScope(scope);
  const ancestors = await ancestorsFinder(pim)(asked);
  for (const kind of ['eligibility', 'assignment'] as const) {
    const page = await pim.store.listSchedules({
      kind,
      resourceType: 'azureRole',
      principalId: caller.objectId.toLowerCase(),
      accessId: role,
      pageSize: 50,
    });
    if (
      page.items.some(
        (s) => s.groupId === asked || ancestors.includes(s.groupId) || s.groupId.startsWith(`${asked}/`),
      )
    )
      return true;
  }
  return false;
}

/** roleManagementPolicies and roleManagementPolicyAssignments; undefined for a method they don't take. */
async function policyRoute(
  pim: AppServices,
  request: HttpRequest,
  t: ArmTarget,
  method: string,
  caller: CallerPrincipal,
): Promise<Handled | undefined> {
  if (t.scope === '' || t.action)
    return armProblem({ status: 404, code: 'NotFound', message: `No ${t.collection} here: name a scope` });
  const deps = {
    azurePolicies: pim.azurePolicies,
    azureRbac: pim.azureRbac,
    caller,
    holdsRole: (scope: string, role: string) => holdsRole(pim, caller, scope, role),
  };
  const assignments = t.collection === 'roleManagementPolicyAssignments';
  if (method === 'GET' && !t.name) {
    const f = parseArmFilter(request.query.get('$filter'));
    if (!f.ok) return armProblem(f.error);
    if (f.value.roleDefinitionId !== undefined && assignments) {
      const guid = roleDefinitionGuid(f.value.roleDefinitionId);
      if (!guid)
        return armProblem({
          status: 400,
          code: 'InvalidRoleDefinitionId',
          message: `The role definition id '${f.value.roleDefinitionId}' is not valid`,
        });
      return armPolicyAssignmentForRole(deps, t.scope, guid);
    }
    return listArmPolicies(deps, t.scope, assignments);
  }
  if (method === 'GET' && t.name)
    return assignments ? getArmPolicyAssignment(deps, t.scope, t.name) : getArmPolicy(deps, t.scope, t.name);
  if (method === 'PATCH' && t.name && !assignments) {
    const body = await parseJsonBody(request, z.unknown());
    if (!body.ok) return withArmCode(body.response, 'InvalidRequestContent');
    return patchArmPolicy(deps, t.scope, t.name, body.value);
  }
  return undefined;
}

// ---- role definitions ------------------------------------------------------------------------------------------

/**
 * The roles assignable at a scope, read from ARM (AzureRbac), in ARM's shape; `$filter=roleName eq '...'` narrows
 * the list. Permissions stay in ARM (see azure-roles.md).
 */
async function roleDefinitions(pim: AppServices, request: HttpRequest, t: ArmTarget): Promise<Handled> {
  const rbac = rbacOf(pim);
  if (t.scope === '')
    return armProblem({
      status: 400,
      code: 'InvalidScope',
      message: 'List role definitions at a management group, subscription, resource group or resource',
    });
  const view = (d: AzureRoleDefinition) => ({
    id: d.id,
    name: d.name,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: { roleName: d.roleName, type: d.roleType, description: d.description },
  });
  if (t.name) {
    const guid = guidSchema.safeParse(t.name);
    const found = guid.success ? await rbac.getRoleDefinition(t.scope, guid.data.toLowerCase()) : null;
    if (!found)
      return armProblem({
        status: 404,
        code: 'RoleDefinitionDoesNotExist',
        message: `The specified role definition with ID '${t.name}' does not exist.`,
      });
    return { jsonBody: view(found) };
  }
  const filter = request.query.get('$filter');
  const byName = filter ? /^roleName\s+eq\s+'([^']{1,200})'$/i.exec(filter.trim()) : null;
  if (filter && !byName)
    return armProblem({
      status: 400,
      code: 'UnsupportedQuery',
      message: `The filter '${filter}' is not supported: use roleName eq '{name}'`,
    });
  const all = await rbac.listRoleDefinitions(t.scope);
  const wanted = byName?.[1]?.toLowerCase();
  return {
    jsonBody: { value: all.filter((d) => !wanted || d.roleName.toLowerCase() === wanted).map(view) },
  };
}

// ---- routes ---------------------------------------------------------------------------------------------------

for (const prefix of ['subscriptions', 'providers'] as const) {
  app.http(`arm${prefix[0]?.toUpperCase()}${prefix.slice(1)}`, {
    route: `${prefix}/{*armPath}`,
    methods: ['GET', 'PUT', 'POST', 'PATCH'],
    authLevel: 'anonymous',
    extraInputs: [df.input.durableClient()],
    handler: (request, context) => handle(prefix, request, context),
  });
}
