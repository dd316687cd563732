/**
 * The Graph stand-in's directory roles through the Microsoft Graph client (and raw HTTPS where the answer's
 * headers matter): role definitions, role assignments with Graph's errors, administrative units, persistence and
 * injected faults, against the demo tenant.
 */
import { GraphError as SdkGraphError, type Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../shared/directory/graph-client';
import { demoTenant, startGraphFixture, staticCredential, type GraphFixture } from './graph-fixture';

type Page = { value: Record<string, unknown>[]; '@odata.nextLink'?: string };

const t = demoTenant();
const GA = '62e90394-69f5-4237-9190-012177145e10';
const PRA = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
const HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const PASSWORD = '966707d0-3269-4727-9be2-8c3a10f19b9d';
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
const EXCHANGE = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const FINANCE_UNIT = '70545e8b-b82f-4a7b-b81f-f29b6ea319f8';
const GHOST = '0b7c9a4e-1111-4222-8333-444455556666';
const DEFINITIONS = '/roleManagement/directory/roleDefinitions';
const ASSIGNMENTS = '/roleManagement/directory/roleAssignments';

let f: GraphFixture;
let graph: Client;

beforeAll(async () => {
  f = await startGraphFixture();
  graph = createGraphClient(f.standIn.url, staticCredential());
});
afterAll(async () => {
  await f.close();
});

const filter = (expression: string): string => `?$filter=${encodeURIComponent(expression)}`;

async function refusal(request: Promise<unknown>): Promise<SdkGraphError> {
  const err = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SdkGraphError);
  return err as SdkGraphError;
}

function create(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return graph.api(ASSIGNMENTS).post(body) as Promise<Record<string, unknown>>;
}

describe('roleDefinitions', () => {
  it('lists the built-in roles with their template ids, and filters and selects', async () => {
    const page = (await graph.api(DEFINITIONS).get()) as Page;
    const byName = new Map(page.value.map((r) => [r.displayName, r]));
    expect(byName.get('Global Administrator')).toMatchObject({
      id: GA,
      templateId: GA,
      isBuiltIn: true,
      isEnabled: true,
      isPrivileged: true,
      version: '1',
      resourceScopes: ['/'],
    });
    const expected: [string, string][] = [
      ['Privileged Role Administrator', PRA],
      ['Helpdesk Administrator', HELPDESK],
      ['Password Administrator', PASSWORD],
      ['User Administrator', USER_ADMIN],
      ['Application Administrator', '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3'],
      ['Security Reader', SECURITY_READER],
      ['Security Administrator', '194ae4cb-b126-40b2-bd5b-6091b380977d'],
      ['Exchange Administrator', EXCHANGE],
      ['Global Reader', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'],
      ['Groups Administrator', 'fdd7a751-b60b-444a-984c-02652fe8fa1c'],
      ['Cloud Application Administrator', '158c047a-c907-4556-b7ef-446551a6b5f7'],
    ];
    for (const [name, id] of expected) expect(byName.get(name)?.templateId, name).toBe(id);
    expect(byName.get('Exchange Administrator')?.isPrivileged).toBe(false);
    const rolePermissions = byName.get('Password Administrator')?.rolePermissions as {
      allowedResourceActions: string[];
    }[];
    expect(rolePermissions[0]?.allowedResourceActions).toContain('microsoft.directory/users/password/update');

    const one = (await graph
      .api(`${DEFINITIONS}${filter("displayName eq 'Helpdesk Administrator'")}&$select=id,displayName`)
      .get()) as Page;
    expect(one.value).toEqual([{ id: HELPDESK, displayName: 'Helpdesk Administrator' }]);
    const notPrivileged = (await graph.api(`${DEFINITIONS}${filter('isPrivileged eq false')}`).get()) as Page;
    expect(notPrivileged.value.map((r) => r.id)).toContain(EXCHANGE);
    expect(notPrivileged.value.map((r) => r.id)).not.toContain(GA);
  });

  it('gets one by id; an unknown id is 404 Request_ResourceNotFound', async () => {
    const role = (await graph.api(`${DEFINITIONS}/${PRA}`).get()) as Record<string, unknown>;
    expect(role).toMatchObject({ id: PRA, displayName: 'Privileged Role Administrator', isPrivileged: true });
    expect(role['@odata.context']).toBe(
      `${f.standIn.url}/$metadata#roleManagement/directory/roleDefinitions/$entity`,
    );
    const err = await refusal(graph.api(`${DEFINITIONS}/${GHOST}`).get());
    expect(err).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });
});

describe('roleAssignments in the demo tenant', () => {
  it('filters by role, principal and scope, and expands the principal', async () => {
    const admins = (await graph.api(`${ASSIGNMENTS}${filter(`roleDefinitionId eq '${GA}'`)}`).get()) as Page;
    expect(admins.value).toEqual([
      {
        id: expect.stringMatching(/^[A-Za-z0-9_-]{43}-1$/) as unknown,
        principalId: t.user('admin'),
        resourceScope: '/',
        directoryScopeId: '/',
        roleDefinitionId: GA,
      },
    ]);
    const pra = (await graph.api(`${ASSIGNMENTS}${filter(`roleDefinitionId eq '${PRA}'`)}`).get()) as Page;
    expect(pra.value.map((a) => a.principalId)).toEqual([t.user('daniel.kim')]);

    const helpdeskGroup = t.group('Helpdesk Admin-Group');
    const expanded = (await graph
      .api(
        `${ASSIGNMENTS}${filter(`principalId eq '${helpdeskGroup}' and directoryScopeId eq '/'`)}&$expand=principal`,
      )
      .get()) as Page;
    expect(expanded.value.map((a) => a.roleDefinitionId).sort()).toEqual(
      [HELPDESK, USER_ADMIN, PASSWORD].sort(),
    );
    expect(expanded.value[0]?.principal).toMatchObject({
      '@odata.type': '#microsoft.graph.group',
      id: helpdeskGroup,
      isAssignableToRole: true,
    });

    const scoped = (await graph
      .api(`${ASSIGNMENTS}${filter(`directoryScopeId eq '/administrativeUnits/${FINANCE_UNIT}'`)}`)
      .get()) as Page;
    expect(scoped.value).toMatchObject([{ principalId: t.user('priya.nair'), roleDefinitionId: USER_ADMIN }]);

    const err = await refusal(graph.api(`${ASSIGNMENTS}?$expand=directoryScope`).get());
    expect(err).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    const filterErr = await refusal(graph.api(`${ASSIGNMENTS}${filter("condition eq 'x'")}`).get());
    expect(filterErr).toMatchObject({ statusCode: 400, code: 'Request_UnsupportedQuery' });
  });
});

describe('creating and deleting role assignments', () => {
  it('creates (201, Graph id), gets, refuses a duplicate, deletes (204), then 404', async () => {
    const user = t.user('lucas.dubois');
    const created = await create({
      '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
      roleDefinitionId: HELPDESK,
      principalId: user,
      directoryScopeId: '/',
    });
    expect(created).toMatchObject({
      '@odata.context': `${f.standIn.url}/$metadata#roleManagement/directory/roleAssignments/$entity`,
      principalId: user,
      roleDefinitionId: HELPDESK,
      directoryScopeId: '/',
    });
    const id = String(created.id);
    // Graph's id: the role's and the principal's GUID bytes, base64url, '-1'.
    expect(id.startsWith('4yeYchSc90m7G5YI8Va7u')).toBe(true);
    expect(await graph.api(`${ASSIGNMENTS}/${id}?$select=id,principalId`).get()).toMatchObject({
      id,
      principalId: user,
    });

    const duplicate = await refusal(
      create({ roleDefinitionId: HELPDESK, principalId: user, directoryScopeId: '/' }),
    );
    expect(duplicate).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message:
        'A conflicting object with one or more of the specified property values is present in the directory.',
    });

    const res = await f.http(`${ASSIGNMENTS}/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const gone = await refusal(graph.api(`${ASSIGNMENTS}/${id}`).get());
    expect(gone).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    expect(await refusal(graph.api(`${ASSIGNMENTS}/${id}`).delete())).toMatchObject({ statusCode: 404 });
  });

  it('lets users, role-assignable groups and service principals hold roles, at the tenant or a unit', async () => {
    const sp = t.servicePrincipal('pimflow-automation');
    const unit = `/administrativeUnits/${FINANCE_UNIT}`;
    expect(
      await create({ roleDefinitionId: SECURITY_READER, principalId: sp, directoryScopeId: '/' }),
    ).toMatchObject({
      principalId: sp,
    });
    const scoped = await create({
      roleDefinitionId: PASSWORD,
      principalId: t.user('sofia.rossi'),
      directoryScopeId: unit.toUpperCase().replace('/ADMINISTRATIVEUNITS/', '/administrativeUnits/'),
    });
    expect(scoped.directoryScopeId).toBe(unit);
    const listed = (await graph.api(`${ASSIGNMENTS}${filter(`principalId eq '${sp}'`)}`).get()) as Page;
    expect(listed.value.map((a) => a.roleDefinitionId)).toContain(SECURITY_READER);
  });

  it("answers Graph's errors: group not role-assignable, unknown principal, role or unit, bad body", async () => {
    const cloudOps = t.group('Cloud Ops');
    expect(
      await refusal(create({ roleDefinitionId: HELPDESK, principalId: cloudOps, directoryScopeId: '/' })),
    ).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message: 'Groups without IsAssignableToRole property set cannot be assigned to roles.',
    });
    const noPrincipal = await refusal(
      create({ roleDefinitionId: HELPDESK, principalId: GHOST, directoryScopeId: '/' }),
    );
    expect(noPrincipal).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    expect(noPrincipal.message).toContain(GHOST);
    const user = t.user('emma.schmidt');
    const noRole = await refusal(
      create({ roleDefinitionId: GHOST, principalId: user, directoryScopeId: '/' }),
    );
    expect(noRole).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    const noUnit = await refusal(
      create({
        roleDefinitionId: HELPDESK,
        principalId: user,
        directoryScopeId: `/administrativeUnits/${GHOST}`,
      }),
    );
    expect(noUnit).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    expect(noUnit.message).toContain(GHOST);
    for (const body of [
      { roleDefinitionId: HELPDESK, principalId: user },
      { roleDefinitionId: HELPDESK, principalId: user, directoryScopeId: 'tenant' },
      { roleDefinitionId: HELPDESK, principalId: user, appScopeId: '/' },
    ]) {
      expect(await refusal(create(body)), JSON.stringify(body)).toMatchObject({ statusCode: 400 });
    }
    const held = (await graph.api(`${ASSIGNMENTS}${filter(`principalId eq '${user}'`)}`).get()) as Page;
    expect(held.value).toEqual([]);
  });
});

describe('administrativeUnits', () => {
  it('lists and gets units; an unknown one is 404', async () => {
    const page = (await graph.api('/directory/administrativeUnits').get()) as Page;
    expect(page.value.map((u) => u.displayName).sort()).toEqual(['Finance Department', 'Sales EMEA']);
    expect(
      await graph.api(`/directory/administrativeUnits/${FINANCE_UNIT}?$select=id,displayName`).get(),
    ).toMatchObject({
      id: FINANCE_UNIT,
      displayName: 'Finance Department',
    });
    const err = await refusal(graph.api(`/directory/administrativeUnits/${GHOST}`).get());
    expect(err).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });
});

describe('persistence and faults', () => {
  it('keeps role assignments across a restart', async () => {
    const first = await startGraphFixture();
    const client = createGraphClient(first.standIn.url, staticCredential());
    const created = (await client
      .api(ASSIGNMENTS)
      .post({ roleDefinitionId: EXCHANGE, principalId: t.user('jack.thompson'), directoryScopeId: '/' })) as {
      id: string;
    };
    await first.standIn.close();
    const second = await startGraphFixture({ dir: first.dir });
    try {
      const again = createGraphClient(second.standIn.url, staticCredential());
      expect(await again.api(`${ASSIGNMENTS}/${created.id}`).get()).toMatchObject({
        roleDefinitionId: EXCHANGE,
      });
      const admins = (await again
        .api(`${ASSIGNMENTS}${filter(`roleDefinitionId eq '${GA}'`)}`)
        .get()) as Page;
      expect(admins.value).toHaveLength(1);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('throttles role requests like the rest (429 with Retry-After), writes only when asked', async () => {
    f.setFaults({ throttleRate: 1, retryAfterSeconds: 3, writesOnly: true });
    try {
      expect((await f.http(DEFINITIONS)).status).toBe(200);
      const res = await f.http(ASSIGNMENTS, {
        method: 'POST',
        body: JSON.stringify({
          roleDefinitionId: GA,
          principalId: t.user('mia.chen'),
          directoryScopeId: '/',
        }),
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
    } finally {
      f.setFaults({});
    }
    const held = (await graph
      .api(`${ASSIGNMENTS}${filter(`principalId eq '${t.user('mia.chen')}'`)}`)
      .get()) as Page;
    expect(held.value).toEqual([]);
  });
});
