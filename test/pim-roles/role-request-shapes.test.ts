/**
 * The Entra role API's edge as pure functions: who may hold a directory role (principal-rules.ts), how a
 * unifiedRole...ScheduleRequest body maps onto the core's request (role-api.ts), and the Graph views back
 * (role-views.ts). The HTTP behaviour is in role-requests.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  checkRolePrincipal,
  ROLE_ASSIGNABLE_GROUPS_ONLY,
  type RolePrincipal,
} from '../../shared/requests/domain/principal-rules';
import type { RequestAction } from '../../shared/requests/domain/schedule-request';
import type { RequestKind } from '../../shared/requests/domain/request-body';
import { roleRequestBodySchema, ROLE_API } from '../../shared/requests/http/role-api';
import { GROUP_API, scheduleListed, storedFilters } from '../../shared/requests/http/resource-api';
import type { Schedule } from '../../shared/lifecycle/domain/schedule';
import type { ScheduleRequest } from '../../shared/requests/domain/schedule-request';

const ID = '11111111-1111-4111-8111-111111111111';
const ROLE = '729827e3-9c14-49f7-bb1b-9608f156bbb8'; // Helpdesk Administrator

describe('checkRolePrincipal', () => {
  const check = (p: RolePrincipal | null, kind: RequestKind, action: RequestAction) =>
    checkRolePrincipal(p, ID, kind, action);
  const user: RolePrincipal = { id: ID, type: 'user' };
  const assignable: RolePrincipal = { id: ID, type: 'group', isAssignableToRole: true };
  const plainGroup: RolePrincipal = { id: ID, type: 'group', isAssignableToRole: false };
  const sp: RolePrincipal = { id: ID, type: 'servicePrincipal' };

  it('lets users hold a role every way', () => {
    for (const kind of ['assignment', 'eligibility'] as const)
      for (const action of ['adminAssign', 'adminRenew', 'selfActivate', 'selfExtend'] as const)
        expect(check(user, kind, action)).toBeUndefined();
  });

  it('lets role-assignable groups hold a role, and refuses other groups naming the rule', () => {
    expect(check(assignable, 'eligibility', 'adminAssign')).toBeUndefined();
    expect(check(assignable, 'assignment', 'adminAssign')).toBeUndefined();
    const refused = check(plainGroup, 'eligibility', 'adminAssign');
    expect(refused?.kind).toBe('invalid');
    expect(refused?.detail).toContain(ROLE_ASSIGNABLE_GROUPS_ONLY);
    expect(check({ id: ID, type: 'group' }, 'assignment', 'adminAssign')?.detail).toContain(
      'isAssignableToRole',
    );
  });

  it('lets service principals hold only active assignments', () => {
    expect(check(sp, 'assignment', 'adminAssign')).toBeUndefined();
    expect(check(sp, 'assignment', 'adminExtend')).toBeUndefined();
    expect(check(sp, 'eligibility', 'adminAssign')?.detail).toMatch(/only as an active assignment/);
    expect(check(sp, 'assignment', 'selfActivate')?.detail).toMatch(
      /not as an eligible one or by activation/,
    );
  });

  it('refuses unknown principals and other kinds of object', () => {
    expect(check(null, 'assignment', 'adminAssign')?.detail).toBe(`No principal ${ID} in the directory`);
    expect(check({ id: ID, type: 'other' }, 'assignment', 'adminAssign')?.detail).toMatch(
      /Only users, role-assignable groups and service principals/,
    );
  });
});

describe('roleRequestBodySchema', () => {
  const valid = { action: 'adminAssign', principalId: ID, roleDefinitionId: ROLE, directoryScopeId: '/' };

  it('maps Graph fields onto the core request (scope → groupId, role → accessId)', () => {
    expect(roleRequestBodySchema.parse({ ...valid, justification: 'x' })).toEqual({
      action: 'adminAssign',
      principalId: ID,
      justification: 'x',
      resourceType: 'directoryRole',
      groupId: '/',
      accessId: ROLE,
    });
    const upperAu = '/administrativeUnits/ABCDEF12-2222-4222-8222-222222222222';
    expect(roleRequestBodySchema.parse({ ...valid, directoryScopeId: upperAu }).groupId).toBe(
      '/administrativeUnits/abcdef12-2222-4222-8222-222222222222',
    );
    expect(roleRequestBodySchema.parse({ ...valid, roleDefinitionId: ROLE.toUpperCase() }).accessId).toBe(
      ROLE,
    );
  });

  it("takes appScopeId '/' or null, and Graph's capitalised expiration types", () => {
    const { directoryScopeId: _, ...noScope } = valid;
    expect(roleRequestBodySchema.parse({ ...noScope, appScopeId: '/' }).groupId).toBe('/');
    expect(roleRequestBodySchema.parse({ ...valid, appScopeId: null }).groupId).toBe('/');
    const parsed = roleRequestBodySchema.parse({
      ...valid,
      scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT5H' } },
    });
    expect(parsed.scheduleInfo?.expiration.type).toBe('afterDuration');
  });

  it('refuses what Graph or pimflow refuse', () => {
    const { directoryScopeId: _, ...noScope } = valid;
    const bad: [string, unknown][] = [
      ['no scope', noScope],
      ['app scope', { ...noScope, appScopeId: '/apps/x' }],
      ['both scopes', { ...valid, appScopeId: '/' }],
      ['scope not a directory scope', { ...valid, directoryScopeId: '/groups/x' }],
      ['role not a GUID', { ...valid, roleDefinitionId: 'Global Administrator' }],
      ['group field', { ...valid, groupId: ID }],
      ['accessId field', { ...valid, accessId: 'member' }],
      ['unknown action', { ...valid, action: 'makeMeAdmin' }],
      ['unknown expiration type', { ...valid, scheduleInfo: { expiration: { type: 'Forever' } } }],
    ];
    for (const [name, body] of bad) expect(roleRequestBodySchema.safeParse(body).success, name).toBe(false);
  });
});

describe('views and filters', () => {
  const request = {
    id: ID,
    resourceType: 'directoryRole',
    groupId: '/',
    kind: 'assignment',
    action: 'selfActivate',
    accessId: ROLE,
    principalId: ID,
    justification: 'ticket 7',
    ticketInfo: null,
    scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    startDateTime: '2026-03-02T09:00:00.000Z',
    endDateTime: '2026-03-02T10:00:00.000Z',
    isValidationOnly: false,
    targetScheduleId: ID,
    approvalId: null,
    status: 'Provisioned',
    createdBy: { user: { id: ID, displayName: null } },
    createdDateTime: '2026-03-02T09:00:00.000Z',
    completedDateTime: null,
    orchestrationInstanceId: `request-${ID}`,
  } satisfies ScheduleRequest;
  const schedule = {
    id: ID,
    resourceType: 'directoryRole',
    groupId: '/',
    kind: 'assignment',
    principalId: ID,
    accessId: ROLE,
    memberType: 'direct',
    assignmentType: 'activated',
    status: 'Provisioned',
    scheduleInfo: request.scheduleInfo,
    startDateTime: request.startDateTime,
    endDateTime: request.endDateTime,
    createdUsing: ID,
    activatedUsing: ID,
    createdDateTime: request.createdDateTime,
    modifiedDateTime: request.createdDateTime,
  } satisfies Schedule;

  it('shows requests with roleDefinitionId, directoryScopeId and appScopeId null, and no group fields', () => {
    const view = ROLE_API.requestView(request);
    expect(view).toMatchObject({
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      appScopeId: null,
      principalId: ID,
    });
    expect(view).not.toHaveProperty('groupId');
    expect(view).not.toHaveProperty('accessId');
  });

  it("shows schedules and instances in Graph's unified role shapes", () => {
    expect(ROLE_API.scheduleView(schedule)).toMatchObject({
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      memberType: 'Direct',
      assignmentType: 'Activated',
      createdUsing: ID,
    });
    expect(ROLE_API.instanceView(schedule)).toMatchObject({
      roleAssignmentScheduleId: ID,
      roleAssignmentOriginId: null,
      assignmentType: 'Activated',
      endDateTime: schedule.endDateTime,
    });
    expect(ROLE_API.instanceView({ ...schedule, kind: 'eligibility', assignmentType: null })).toMatchObject({
      roleEligibilityScheduleId: ID,
    });
    expect(
      ROLE_API.instanceView({ ...schedule, kind: 'eligibility', assignmentType: null }),
    ).not.toHaveProperty('assignmentType');
  });

  it('maps $filter fields to stored fields, and names collections as Graph does', () => {
    expect(
      storedFilters(ROLE_API, { roleDefinitionId: ROLE, directoryScopeId: '/', principalId: ID }),
    ).toEqual({
      accessId: ROLE,
      groupId: '/',
      principalId: ID,
    });
    expect(ROLE_API.collection('eligibility', 'ScheduleInstances')).toBe('roleEligibilityScheduleInstances');
    expect(GROUP_API.collection('assignment', 'ScheduleRequests')).toBe('assignmentScheduleRequests');
    expect(ROLE_API.context('assignment', 'Schedules')).toBe(
      'roleManagement/directory/roleAssignmentSchedules',
    );
    expect(GROUP_API.context('eligibility', 'ScheduleInstances')).toBe(
      'identityGovernance/privilegedAccess/group/eligibilityScheduleInstances',
    );
  });

  it('lists an instance only while in force, a schedule until 30 days after it expired', () => {
    const at = (iso: string) => new Date(iso);
    expect(scheduleListed(schedule, true, at('2026-03-02T09:30:00Z'))).toBe(true);
    expect(scheduleListed(schedule, true, at('2026-03-02T10:00:00Z'))).toBe(false);
    const expired = { ...schedule, status: 'Expired' as const };
    expect(scheduleListed(expired, false, at('2026-03-31T00:00:00Z'))).toBe(true);
    expect(scheduleListed(expired, false, at('2026-04-02T00:00:00Z'))).toBe(false);
    expect(scheduleListed({ ...schedule, status: 'Revoked' }, false, at('2026-03-02T09:30:00Z'))).toBe(false);
  });
});
