/**
 * Directory roles through the app's Graph directory adapter and the directory-role access provider, against the
 * stand-in: reads, idempotent add and remove checked over the stand-in's HTTP API, Graph's errors, paging,
 * throttling, and grant / revoke / verify / listHolders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessNotConfirmedError } from '../../shared/access/access-provider';
import { createDirectoryRoleAccessProvider } from '../../shared/access/directory-role-access-provider';
import type { Directory } from '../../shared/directory/directory';
import { GraphError } from '../../shared/directory/graph-error';
import {
  demoTenant,
  fastSleep,
  generatedId,
  largeTenantSeed,
  startGraphFixture,
  type GraphFixture,
} from './graph-fixture';

type Page = {
  value: { id: string; principalId: string; roleDefinitionId: string; directoryScopeId: string }[];
};

const t = demoTenant();
const GA = '62e90394-69f5-4237-9190-012177145e10';
const HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const PASSWORD = '966707d0-3269-4727-9be2-8c3a10f19b9d';
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
const FINANCE = '/administrativeUnits/70545e8b-b82f-4a7b-b81f-f29b6ea319f8';
const GHOST = '0b7c9a4e-1111-4222-8333-444455556666';
let f: GraphFixture;
let directory: Directory;

beforeAll(async () => {
  f = await startGraphFixture();
  directory = f.directory();
});
afterAll(async () => {
  await f.close();
});

/** The principal's assignments of a role at a scope, read over the stand-in's HTTP API. */
async function heldOverHttp(role: string, principalId: string, scope: string): Promise<Page['value']> {
  const expression = `roleDefinitionId eq '${role}' and principalId eq '${principalId}' and directoryScopeId eq '${scope}'`;
  const page = await f.json<Page>(
    `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(expression)}`,
  );
  return page.value;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('reads', () => {
  it('lists role definitions and gets one; null for an unknown role', async () => {
    const roles = await directory.listRoleDefinitions();
    expect(roles.find((r) => r.id === GA)).toEqual({
      id: GA,
      templateId: GA,
      displayName: 'Global Administrator',
      description:
        'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
      isBuiltIn: true,
      isEnabled: true,
      isPrivileged: true,
    });
    expect(roles.length).toBeGreaterThanOrEqual(12);
    expect(await directory.getRoleDefinition(HELPDESK)).toMatchObject({
      displayName: 'Helpdesk Administrator',
    });
    expect(await directory.getRoleDefinition(GHOST)).toBeNull();
  });

  it('lists role assignments by role, principal and scope', async () => {
    expect(await directory.listRoleAssignments({ roleDefinitionId: GA })).toEqual([
      {
        id: expect.any(String) as unknown,
        principalId: t.user('admin'),
        roleDefinitionId: GA,
        directoryScopeId: '/',
      },
    ]);
    const group = await directory.listRoleAssignments({ principalId: t.group('Helpdesk Admin-Group') });
    expect(group.map((a) => a.roleDefinitionId).sort()).toEqual([HELPDESK, PASSWORD, USER_ADMIN].sort());
    const scoped = await directory.listRoleAssignments({ directoryScopeId: FINANCE });
    expect(scoped.map((a) => a.principalId)).toEqual([t.user('priya.nair')]);
    expect(await directory.listRoleAssignments({ roleDefinitionId: GA, directoryScopeId: FINANCE })).toEqual(
      [],
    );
  });

  it('tells service principals and role-assignable groups apart, and reads administrative units', async () => {
    const sp = t.servicePrincipal('Contoso Backup Connector');
    expect(await directory.getPrincipal(sp)).toMatchObject({ id: sp, type: 'servicePrincipal' });
    expect((await directory.getGroup(t.group('Helpdesk Admin-Group')))?.isAssignableToRole).toBe(true);
    expect((await directory.getGroup(t.group('Cloud Ops')))?.isAssignableToRole).toBe(false);
    expect(await directory.getAdministrativeUnit(FINANCE.split('/')[2] ?? '')).toEqual({
      id: FINANCE.split('/')[2],
      displayName: 'Finance Department',
    });
    expect(await directory.getAdministrativeUnit(GHOST)).toBeNull();
  });
});

describe('changes', () => {
  it('adds and removes idempotently, as the stand-in shows', async () => {
    const user = t.user('liam.obrien');
    expect(await directory.addRoleAssignment(GLOBAL_READER, user, '/')).toBe('changed');
    expect(await directory.addRoleAssignment(GLOBAL_READER, user, '/')).toBe('unchanged');
    expect(await heldOverHttp(GLOBAL_READER, user, '/')).toHaveLength(1);
    // Another scope is another assignment.
    expect(await directory.addRoleAssignment(GLOBAL_READER, user, FINANCE)).toBe('changed');
    expect(await directory.removeRoleAssignment(GLOBAL_READER, user, '/')).toBe('changed');
    expect(await directory.removeRoleAssignment(GLOBAL_READER, user, '/')).toBe('unchanged');
    expect(await heldOverHttp(GLOBAL_READER, user, '/')).toEqual([]);
    expect(await heldOverHttp(GLOBAL_READER, user, FINANCE)).toHaveLength(1);
  });

  it("surfaces Graph's refusals as GraphError", async () => {
    const notAssignable = await rejection(directory.addRoleAssignment(HELPDESK, t.group('Cloud Ops'), '/'));
    expect(notAssignable).toBeInstanceOf(GraphError);
    expect(notAssignable).toMatchObject({ status: 400, code: 'Request_BadRequest' });
    expect((notAssignable as GraphError).graphMessage).toMatch(/IsAssignableToRole/);

    // A 404 may be replication delay, so it is retried a few times before it is final.
    const sleep = fastSleep();
    const unknown = await rejection(
      f.directory({ sleep: sleep.sleep }).addRoleAssignment(GHOST, t.user('liam.obrien'), '/'),
    );
    expect(unknown).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
    expect(sleep.waits).toEqual([500, 1000, 2000, 4000]);
  });

  it('retries a throttled write after Retry-After, and the assignment is made once', async () => {
    const user = t.user('noah.williams');
    f.setFaults({ throttleRate: 1, writesOnly: true, retryAfterSeconds: 2 });
    const waits: number[] = [];
    const throttled = f.directory({
      sleep: async (ms) => {
        waits.push(ms);
        f.setFaults({});
      },
    });
    try {
      expect(await throttled.addRoleAssignment(PASSWORD, user, '/')).toBe('changed');
    } finally {
      f.setFaults({});
    }
    expect(waits).toEqual([2000]);
    expect(await heldOverHttp(PASSWORD, user, '/')).toHaveLength(1);
  });

  it('reads every page of a long listing', async () => {
    const seed = largeTenantSeed(230, 0);
    const big = await startGraphFixture({
      seed: {
        ...seed,
        roleAssignments: seed.users.map((u) => ({ principalId: u.id, roleDefinitionId: HELPDESK })),
      },
    });
    try {
      const before = big.standIn.requestCounts().requests;
      const all = await big.directory().listRoleAssignments({ roleDefinitionId: HELPDESK });
      expect(all).toHaveLength(230);
      expect(new Set(all.map((a) => a.principalId)).has(generatedId(230))).toBe(true);
      expect(big.standIn.requestCounts().requests - before).toBe(3);
    } finally {
      await big.close();
    }
  });
});

describe('directory-role access provider', () => {
  it('grants, verifies, lists holders and revokes; both idempotent', async () => {
    const access = createDirectoryRoleAccessProvider(directory);
    const target = { resourceId: '/', role: USER_ADMIN, principalId: t.user('emma.schmidt') };
    expect(await access.verify(target)).toBe(false);
    await access.grant(target);
    await access.grant(target);
    expect(await access.verify(target)).toBe(true);
    expect(await heldOverHttp(USER_ADMIN, target.principalId, '/')).toHaveLength(1);
    expect((await access.listHolders('/', USER_ADMIN)).sort()).toEqual(
      [t.group('Helpdesk Admin-Group'), target.principalId].sort(),
    );
    expect(await access.listHolders(FINANCE, USER_ADMIN)).toEqual([t.user('priya.nair')]);
    await access.revoke(target);
    await access.revoke(target);
    expect(await access.verify(target)).toBe(false);
    expect(await heldOverHttp(USER_ADMIN, target.principalId, '/')).toEqual([]);
  });

  it('grants to a role-assignable group and a service principal; a plain group is refused', async () => {
    const access = createDirectoryRoleAccessProvider(directory);
    const group = { resourceId: '/', role: GLOBAL_READER, principalId: t.group('Helpdesk Admin-Group') };
    const sp = {
      resourceId: FINANCE,
      role: GLOBAL_READER,
      principalId: t.servicePrincipal('pimflow-automation'),
    };
    await access.grant(group);
    await access.grant(sp);
    expect(await access.verify(group)).toBe(true);
    expect(await access.listHolders(FINANCE, GLOBAL_READER)).toContain(sp.principalId);
    const refused = await rejection(access.grant({ ...group, principalId: t.group('SRE On-Call') }));
    expect(refused).toMatchObject({ status: 400, code: 'Request_BadRequest' });
  });

  it('throws AccessNotConfirmedError when Graph does not show the change', async () => {
    const target = { resourceId: '/', role: HELPDESK, principalId: t.user('ava.martinez') };
    const ignoringAdds = Object.assign(Object.create(directory) as Directory, {
      addRoleAssignment: async () => 'changed' as const,
    });
    const access = createDirectoryRoleAccessProvider(ignoringAdds);
    await expect(access.grant(target)).rejects.toBeInstanceOf(AccessNotConfirmedError);

    await createDirectoryRoleAccessProvider(directory).grant(target);
    const ignoringRemoves = Object.assign(Object.create(directory) as Directory, {
      removeRoleAssignment: async () => 'changed' as const,
    });
    await expect(createDirectoryRoleAccessProvider(ignoringRemoves).revoke(target)).rejects.toBeInstanceOf(
      AccessNotConfirmedError,
    );
  });
});
