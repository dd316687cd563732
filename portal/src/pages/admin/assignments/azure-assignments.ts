/**
 * The assignments page over ARM (Azure resource roles at a scope): ARM's schedules as the page's Graph-shaped rows,
 * and the page's admin requests (`adminAssign`, `adminRemove`, `adminExtend`, `adminRenew` in Graph's body) as ARM's
 * `PUT {scope}/providers/Microsoft.Authorization/role{Eligibility,Assignment}ScheduleRequests/{new name}`.
 * Schedules held through a parent scope (`memberType: Inherited`) are shown, marked, and can't be changed here.
 */
import type { Api } from '../../../api/client';
import {
  armListAll,
  armPath,
  newRequestName,
  roleDefinitionArmId,
  scopeLabel,
  type ArmExpandedProperties,
  type ArmResource,
} from '../../../api/arm';
import type { AssignmentKind } from '../resources/resource-kinds';

interface ArmSchedule {
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  status: string;
  assignmentType?: string | null;
  memberType?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
  createdOn?: string | null;
  expandedProperties?: ArmExpandedProperties;
}

/** A schedule as the page lists it (Graph's fields), with where an inherited one comes from. */
export interface AzureSchedule {
  id: string;
  principalId: string;
  status: string;
  assignmentType?: string;
  createdDateTime?: string;
  scheduleInfo: {
    startDateTime?: string | null;
    expiration: { type: string; endDateTime?: string | null };
  };
  principal: { displayName?: string | null; userPrincipalName?: string | null };
  /** Assigned at a parent scope ("finance-rg (Resource group)"): shown, not changed here. */
  inheritedFrom?: string;
}

const collections = (kind: AssignmentKind) =>
  kind === 'eligible'
    ? { schedules: 'roleEligibilitySchedules', requests: 'roleEligibilityScheduleRequests' }
    : { schedules: 'roleAssignmentSchedules', requests: 'roleAssignmentScheduleRequests' };

/** The role's schedules of one kind at the scope, its parents' (inherited) among them. */
export async function loadAzureSchedules(
  api: Api,
  scope: string,
  roleGuid: string,
  kind: AssignmentKind,
): Promise<AzureSchedule[]> {
  const filter = `$filter=${encodeURIComponent(`roleDefinitionId eq '${roleDefinitionArmId(scope, roleGuid)}'`)}`;
  const items = await armListAll<ArmResource<ArmSchedule>>(
    api,
    armPath(scope, collections(kind).schedules, filter),
  );
  // ARM lists what is made at, above (Inherited) and below the scope; below belongs to the child scope's page.
  const shown = items.filter(
    (i) =>
      i.properties.memberType === 'Inherited' || i.properties.scope.toLowerCase() === scope.toLowerCase(),
  );
  return shown.map((i) => {
    const p = i.properties;
    const at = p.expandedProperties?.scope?.id ?? p.scope;
    const inherited = p.memberType === 'Inherited';
    return {
      id: i.id,
      principalId: p.principalId,
      status: p.status,
      assignmentType: p.assignmentType ?? undefined,
      createdDateTime: p.createdOn ?? undefined,
      scheduleInfo: {
        startDateTime: p.startDateTime,
        expiration: p.endDateTime
          ? { type: 'afterDateTime', endDateTime: p.endDateTime }
          : { type: 'noExpiration' },
      },
      principal: {
        displayName: p.expandedProperties?.principal?.displayName ?? null,
        userPrincipalName: p.expandedProperties?.principal?.email ?? null,
      },
      ...(inherited ? { inheritedFrom: scopeLabel(at, p.expandedProperties?.scope) } : {}),
    };
  });
}

const REQUEST_TYPES: Record<string, string> = {
  adminAssign: 'AdminAssign',
  adminRemove: 'AdminRemove',
  adminExtend: 'AdminExtend',
  adminRenew: 'AdminRenew',
};

const EXPIRATION_TYPES: Record<string, string> = {
  afterdatetime: 'AfterDateTime',
  afterduration: 'AfterDuration',
  noexpiration: 'NoExpiration',
};

/** The page's Graph-shaped admin request, sent as ARM's schedule request at the scope. */
export async function sendAzureAdminRequest(
  api: Api,
  scope: string,
  roleGuid: string,
  kind: AssignmentKind,
  body: {
    action: string;
    principalId: string;
    targetScheduleId?: string;
    justification?: string;
    scheduleInfo?: { startDateTime?: string; expiration?: { type: string; endDateTime?: string } };
  },
): Promise<void> {
  const expiration = body.scheduleInfo?.expiration;
  const properties: Record<string, unknown> = {
    principalId: body.principalId,
    roleDefinitionId: roleDefinitionArmId(scope, roleGuid),
    requestType: REQUEST_TYPES[body.action] ?? body.action,
    ...(body.justification ? { justification: body.justification } : {}),
    ...(body.targetScheduleId
      ? {
          [kind === 'eligible' ? 'targetRoleEligibilityScheduleId' : 'targetRoleAssignmentScheduleId']:
            body.targetScheduleId,
        }
      : {}),
  };
  if (expiration)
    properties.scheduleInfo = {
      // ARM wants a start for new schedules; "now" when the admin left it empty.
      startDateTime: body.scheduleInfo?.startDateTime ?? new Date().toISOString(),
      expiration: {
        type: EXPIRATION_TYPES[expiration.type.toLowerCase()] ?? expiration.type,
        ...(expiration.endDateTime ? { endDateTime: expiration.endDateTime } : {}),
      },
    };
  await api.put(armPath(scope, `${collections(kind).requests}/${newRequestName()}`), { properties });
}
