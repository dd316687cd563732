/**
 * Access reviews of Microsoft Entra roles, end to end through the HTTP API on the virtual clock (seed 000): four
 * managed roles selected → four instances per occurrence, each named for its role; the role-assignable "Helpdesk
 * Admin-Group" is one item, not expanded; a deny applied removes its role assignment in the Graph stand-in, and
 * auto-apply does the same; the reviewers' mails name the role; the last Global Administrator is never removed
 * (the item records why); only managed roles are reviewed; Graph's query scope for a privileged role is read.
 * pimflow's own schedules of a role (seeded in Cosmos, without request orchestrations: the apply then ends them in
 * Cosmos) are items too, and a principal holding the role through one isn't reviewed twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schedule } from '../../shared/lifecycle/domain/schedule';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { expectProblem } from '../pim-policy/policy-helpers';
import { ADMIN } from '../pim/pim-scenario';
import {
  byPrincipal,
  type DecisionItem,
  decisions,
  REVIEWS,
  users,
  type StartedReview,
} from './instance-helpers';

const GROUP = DEMO.helpdeskGroup;
const ROLES = {
  helpdesk: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  password: '966707d0-3269-4727-9be2-8c3a10f19b9d',
  userAdmin: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  appAdmin: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  globalAdmin: '62e90394-69f5-4237-9190-012177145e10',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
};
const NAMES: Record<string, string> = {
  [ROLES.helpdesk]: 'Helpdesk Administrator',
  [ROLES.password]: 'Password Administrator',
  [ROLES.userAdmin]: 'User Administrator',
  [ROLES.appAdmin]: 'Application Administrator',
};
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);

let app: PimApp;
const id = (upn: string) => app.user(upn).id;
const as = (upn: string) => ({ as: `${upn}@pimflow.example` });

interface RoleInstance {
  id: string;
  status: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  roleDisplayName: string | null;
}

async function holds(roleDefinitionId: string, principalId: string): Promise<boolean> {
  const s = await app.services();
  const found = await s.directory.listRoleAssignments({
    roleDefinitionId,
    principalId,
    directoryScopeId: '/',
  });
  return found.length > 0;
}

async function createDefinition(body: Record<string, unknown>): Promise<Response> {
  return app.api(REVIEWS, {
    ...ADMIN,
    body: {
      displayName: 'Entra roles review',
      reviewers: users(id('daniel.kim')).map((r) => ({ ...r, queryType: 'MicrosoftGraph' })),
      settings: { instanceDurationInDays: 14, mailNotificationsEnabled: true },
      ...body,
    },
  });
}

/** A one-time review over `roles` (created, its occurrence started); its instances by role definition id. */
async function startRoleReview(
  roles: string[],
  settings: Record<string, unknown> = {},
  displayName = 'Entra roles review',
): Promise<{ definitionId: string; instances: Map<string, RoleInstance & { url: string }> }> {
  const res = await createDefinition({
    displayName,
    scope: {
      '@odata.type': '#pimflow.groupRoleReviewScope',
      roles: roles.map((roleDefinitionId) => ({ roleDefinitionId, directoryScopeId: '/' })),
      assignmentTypes: 'both',
      principalTypes: ['user', 'group', 'servicePrincipal'],
    },
    settings: { instanceDurationInDays: 14, mailNotificationsEnabled: true, ...settings },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const definitionId = ((await res.json()) as { id: string }).id;
  await app.rt.waitForIdle();
  const list = await app.json<{ value: RoleInstance[] }>(`${REVIEWS}/${definitionId}/instances`, ADMIN);
  const instances = new Map(
    list.value.map((i) => [
      i.roleDefinitionId,
      { ...i, url: `${REVIEWS}/${definitionId}/instances/${i.id}` },
    ]),
  );
  return { definitionId, instances };
}

const review = (url: string): StartedReview => ({ definitionId: '', instanceId: '', url });

/** The instance's items as admins see them, with what applying did. */
async function applied(url: string) {
  return (await decisions(app, review(url))) as (DecisionItem & { applyResult: string })[];
}

async function deny(url: string, principalId: string): Promise<string> {
  const item = byPrincipal(await decisions(app, review(url), as('daniel.kim')), principalId);
  const res = await app.api(`${url}/decisions/${item.id}`, {
    ...as('daniel.kim'),
    method: 'PATCH',
    body: { decision: 'Deny', justification: 'No longer needed' },
  });
  expect(res.status, await res.clone().text()).toBe(204);
  return item.id;
}

async function stop(url: string): Promise<void> {
  const res = await app.api(`${url}/stop`, { ...ADMIN, method: 'POST' });
  expect(res.status, await res.clone().text()).toBe(204);
  await app.rt.waitForIdle();
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  const s = await app.services();
  // Olivia holds Application Administrator, assigned in the directory outside pimflow.
  await s.directory.addRoleAssignment(ROLES.appAdmin, id('olivia.carter'), '/');
  for (const roleDefinitionId of [...Object.keys(NAMES), ROLES.globalAdmin]) {
    const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId } });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

describe('Four Entra roles selected: four instances, the group one item, deny applied', () => {
  let started: Awaited<ReturnType<typeof startRoleReview>>;

  it('creates one instance per role, each named for its role and in progress', async () => {
    started = await startRoleReview(Object.keys(NAMES), {}, 'Quarterly Entra roles review');
    expect(started.instances.size).toBe(4);
    for (const [role, instance] of started.instances) {
      expect(instance).toMatchObject({
        status: 'InProgress',
        directoryScopeId: '/',
        roleDisplayName: NAMES[role],
      });
    }
  });

  it('reviews the role-assignable Helpdesk Admin-Group as one item, not its members', async () => {
    const helpdesk = started.instances.get(ROLES.helpdesk)!;
    const items = await decisions(app, review(helpdesk.url));
    expect(items.map((i) => [i.principal.id, i.principal.type, i.assignmentType])).toEqual([
      [GROUP, 'group', 'active'],
    ]);
    const app_ = await decisions(app, review(started.instances.get(ROLES.appAdmin)!.url));
    expect(app_.map((i) => i.principal.id)).toEqual([id('olivia.carter')]);
  });

  it('mails the reviewer once per role, naming the role', async () => {
    const mails = (await app.mailTo('daniel.kim@pimflow.example')).filter((m) =>
      m.subject.includes('Quarterly Entra roles review'),
    );
    expect(mails.map((m) => m.subject).sort()).toEqual(
      Object.values(NAMES)
        .map((name) => `Review access to the ${name} role: Quarterly Entra roles review`)
        .sort(),
    );
    expect(mails.find((m) => m.subject.includes('Application Administrator'))?.text).toContain(
      'Application Administrator',
    );
  });

  it('denying the group and applying removes the group’s role assignment, and only that one', async () => {
    const helpdesk = started.instances.get(ROLES.helpdesk)!;
    expect(await holds(ROLES.helpdesk, GROUP)).toBe(true);
    await deny(helpdesk.url, GROUP);
    await stop(helpdesk.url);
    const res = await app.api(`${helpdesk.url}/applyDecisions`, { ...ADMIN, method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect((await app.json<{ status: string }>(helpdesk.url, ADMIN)).status).toBe('Applied');
    const [item] = await decisions(app, review(helpdesk.url));
    expect(item).toMatchObject({ decision: 'Deny', applyResult: 'AppliedSuccessfully' });
    expect(await holds(ROLES.helpdesk, GROUP)).toBe(false);
    // The group keeps its other roles, and its members stay members.
    expect(await holds(ROLES.password, GROUP)).toBe(true);
    expect(await holds(ROLES.userAdmin, GROUP)).toBe(true);
    expect(app.groupMembers(GROUP).length).toBeGreaterThan(0);
  });
});

describe('Auto-apply, the last Global Administrator, managed roles only, Graph query scopes', () => {
  it('auto-applies a deny when the review is stopped', async () => {
    const { instances } = await startRoleReview([ROLES.appAdmin], { autoApplyDecisionsEnabled: true });
    const instance = instances.get(ROLES.appAdmin)!;
    await deny(instance.url, id('olivia.carter'));
    await stop(instance.url);
    expect((await app.json<{ status: string }>(instance.url, ADMIN)).status).toBe('Applied');
    const [item] = await applied(instance.url);
    expect(item?.applyResult).toBe('AppliedSuccessfully');
    expect(await holds(ROLES.appAdmin, id('olivia.carter'))).toBe(false);
  });

  it('never removes the last Global Administrator: the item records the refusal', async () => {
    const { instances } = await startRoleReview([ROLES.globalAdmin], { autoApplyDecisionsEnabled: true });
    const instance = instances.get(ROLES.globalAdmin)!;
    await deny(instance.url, DEMO.admin);
    await stop(instance.url);
    expect((await app.json<{ status: string }>(instance.url, ADMIN)).status).toBe('Applied');
    const [item] = await applied(instance.url);
    expect(item?.applyResult).toBe('AppliedWithUnknownFailure');
    expect(await holds(ROLES.globalAdmin, DEMO.admin)).toBe(true);
    const filter = encodeURIComponent(`correlationId eq '${instance.id}'`);
    const audit = await app.json<{ value: { activityDisplayName: string; resultReason: string }[] }>(
      `auditLogs/directoryAudits?$filter=${filter}&$top=200`,
      ADMIN,
    );
    const failed = audit.value.find((a) => a.activityDisplayName.startsWith('Access review apply failed'));
    expect(failed?.resultReason).toMatch(/last active Global Administrator/);
  });

  it('refuses a role that is not under management, naming it', async () => {
    const res = await createDefinition({
      scope: { roles: [{ roleDefinitionId: ROLES.securityReader }] },
    });
    await expectProblem(res, 400, /Security Reader role .* is not under management/);
  });

  it('reads Graph’s query scope for a privileged role into pimflow’s scope', async () => {
    const query = `/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '${ROLES.password}')`;
    const scope = {
      '@odata.type': '#microsoft.graph.accessReviewQueryScope',
      query,
      queryType: 'MicrosoftGraph',
    };
    const res = await createDefinition({ scope });
    expect(res.status, await res.clone().text()).toBe(201);
    // Answered as written; reviewed as the one role it names.
    const body = (await res.json()) as { id: string; scope: unknown };
    expect(body.scope).toEqual(scope);
    await app.rt.waitForIdle();
    const list = await app.json<{ value: RoleInstance[] }>(`${REVIEWS}/${body.id}/instances`, ADMIN);
    expect(list.value.map((i) => [i.roleDefinitionId, i.directoryScopeId])).toEqual([[ROLES.password, '/']]);
    const bad = await createDefinition({
      scope: {
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: '/roleManagement/directory/roleAssignments',
      },
    });
    await expectProblem(bad, 400, /Unsupported scope query/);
  });
});

describe('pimflow’s own schedules of a directory role', () => {
  /** A schedule of Password Administrator at `/`, as pimflow writes it (no request orchestration behind it). */
  async function seedSchedule(kind: Schedule['kind'], principalId: string): Promise<string> {
    const s = await app.services();
    const now = app.rt.clock.now().toISOString();
    const scheduleId = crypto.randomUUID();
    await s.store.schedules.create({
      id: scheduleId,
      resourceType: 'directoryRole',
      groupId: '/',
      kind,
      principalId,
      accessId: ROLES.password,
      memberType: 'direct',
      assignmentType: kind === 'assignment' ? 'assigned' : null,
      status: 'Provisioned',
      scheduleInfo: { startDateTime: now, expiration: { type: 'noExpiration' } },
      startDateTime: now,
      endDateTime: null,
      createdUsing: scheduleId,
      activatedUsing: null,
      createdDateTime: now,
      modifiedDateTime: now,
    });
    return scheduleId;
  }

  it('reviews eligible and active schedules once each, and a deny ends them and removes the assignment', async () => {
    const s = await app.services();
    const [noah, sofia] = [id('noah.williams'), id('sofia.rossi')];
    const eligibility = await seedSchedule('eligibility', noah);
    // Sofia's active schedule and her role assignment in the directory are one holding, reviewed once.
    const assignment = await seedSchedule('assignment', sofia);
    await s.directory.addRoleAssignment(ROLES.password, sofia, '/');

    const { instances } = await startRoleReview([ROLES.password]);
    const instance = instances.get(ROLES.password)!;
    const items = await decisions(app, review(instance.url));
    const rows = items.map((i) => [i.principal.id, i.assignmentType]).sort();
    expect(rows).toEqual(
      [
        [GROUP, 'active'],
        [noah, 'eligible'],
        [sofia, 'active'],
      ].sort(),
    );

    await deny(instance.url, noah);
    await deny(instance.url, sofia);
    await stop(instance.url);
    const res = await app.api(`${instance.url}/applyDecisions`, { ...ADMIN, method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    const after = await applied(instance.url);
    expect(byPrincipal(after, noah)).toMatchObject({ applyResult: 'AppliedSuccessfully' });
    expect(byPrincipal(after, sofia)).toMatchObject({ applyResult: 'AppliedSuccessfully' });
    expect(byPrincipal(after, GROUP)).toMatchObject({ applyResult: 'New', decision: 'NotReviewed' });
    expect(await holds(ROLES.password, sofia)).toBe(false);
    expect(await holds(ROLES.password, GROUP)).toBe(true);
    for (const scheduleId of [eligibility, assignment])
      expect((await s.store.schedules.get(scheduleId, '/')).status).toBe('Revoked');
  });
});
