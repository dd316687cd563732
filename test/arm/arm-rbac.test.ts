/**
 * The ARM adapter (createArmRbac: @azure/arm-* SDKs with the app's own credential) against the ARM stand-in:
 * scopes with their ancestors, role definitions, idempotent assignments under deterministic names, ARM's
 * eventual consistency for a new principal, throttling, and idempotent deletes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAssignmentName } from '../../shared/azure/arm-rbac';
import { AzureRbacError, type AzureRbac } from '../../shared/azure/azure-rbac';
import { dependencyChecks } from '../../shared/health/dependency-checks';
import { ARM, startArmWorld, type ArmWorld } from './arm-fixture';

let world: ArmWorld;

beforeAll(async () => {
  // Pages of 3: every list the adapter reads spans several pages (nextLink).
  world = await startArmWorld({ pageSize: 3 });
});

afterAll(async () => {
  await world?.close();
});

const assignmentsAt = (scope: string) =>
  world.dev.arm.state().roleAssignments.filter((a) => a.scope.toLowerCase() === scope.toLowerCase());

describe('scopes', () => {
  it('reads a resource with its resource group, subscription and management groups above it', async () => {
    const scope = await world.rbac().getScope(ARM.keyVault.toLowerCase());
    expect(scope).toEqual({
      id: ARM.keyVault,
      kind: 'resource',
      displayName: 'kv-finance',
      type: 'Microsoft.KeyVault/vaults',
      ancestors: [ARM.financeRg, ARM.production, ARM.platform, ARM.root],
    });
  });

  it('reads a resource group, subscriptions under a child and the root management group, and management groups', async () => {
    const rbac = world.rbac();
    expect(await rbac.getScope(ARM.sandboxRg)).toEqual({
      id: ARM.sandboxRg,
      kind: 'resourceGroup',
      displayName: 'sandbox-rg',
      type: 'Microsoft.Resources/resourceGroups',
      ancestors: [ARM.development, ARM.root],
    });
    expect(await rbac.getScope(ARM.production)).toMatchObject({
      kind: 'subscription',
      displayName: 'Contoso Production',
      ancestors: [ARM.platform, ARM.root],
    });
    expect(await rbac.getScope(ARM.platform)).toEqual({
      id: ARM.platform,
      kind: 'managementGroup',
      displayName: 'Platform',
      type: 'Microsoft.Management/managementGroups',
      ancestors: [ARM.root],
    });
    expect(await rbac.getScope(ARM.root)).toMatchObject({ displayName: 'Tenant Root Group', ancestors: [] });
    expect(await rbac.getScope(ARM.storage)).toMatchObject({
      displayName: 'stwebcontent',
      type: 'Microsoft.Storage/storageAccounts',
    });
  });

  it('answers null for scopes ARM does not have', async () => {
    const rbac = world.rbac();
    expect(await rbac.getScope('/subscriptions/9a9a9a9a-1111-4222-8333-444455556666')).toBeNull();
    expect(await rbac.getScope(`${ARM.production}/resourceGroups/nope-rg`)).toBeNull();
    expect(await rbac.getScope(`${ARM.financeRg}/providers/Microsoft.KeyVault/vaults/kv-nope`)).toBeNull();
    expect(await rbac.getScope('/providers/Microsoft.Management/managementGroups/nope')).toBeNull();
  });
});

describe('role definitions', () => {
  it('lists the built-in roles with their real GUIDs, and gets one', async () => {
    const rbac = world.rbac();
    const roles = await rbac.listRoleDefinitions(ARM.keyVault);
    expect(roles.map((r) => r.roleName)).toEqual(
      expect.arrayContaining(['Owner', 'Contributor', 'Reader', 'Key Vault Administrator']),
    );
    expect(roles.find((r) => r.name === ARM.roles.keyVaultSecretsUser)).toEqual({
      id: `${ARM.production}/providers/Microsoft.Authorization/roleDefinitions/${ARM.roles.keyVaultSecretsUser}`,
      name: ARM.roles.keyVaultSecretsUser,
      roleName: 'Key Vault Secrets User',
      description: expect.stringContaining('secret') as string,
      roleType: 'BuiltInRole',
    });
    expect(await rbac.getRoleDefinition(ARM.platform, ARM.roles.reader)).toMatchObject({
      id: `/providers/Microsoft.Authorization/roleDefinitions/${ARM.roles.reader}`,
      roleName: 'Reader',
    });
    expect(await rbac.getRoleDefinition(ARM.production, '11111111-2222-4333-8444-555555555555')).toBeNull();
    // At tenant level ('/'), as the health report's probe reads it.
    expect(await rbac.getRoleDefinition('/', ARM.roles.reader)).toMatchObject({
      id: `/providers/Microsoft.Authorization/roleDefinitions/${ARM.roles.reader}`,
    });
  });

  it("gives the health report an ARM check that passes, and fails when ARM doesn't answer", async () => {
    const settings = { AUTH_ISSUER: '', ACS_ENDPOINT: '', ACS_CONNECTION_STRING: '' };
    const check = (azureRbac: AzureRbac) =>
      dependencyChecks({
        database: { read: async () => 0 },
        directory: { getGroup: async () => null },
        settings,
        azureRbac,
      }).find((c) => c.name === 'azureResourceManager');
    await expect(check(world.rbac())?.probe()).resolves.toBeUndefined();
    world.dev.arm.failNext({ path: '/roleDefinitions/', status: 500, count: 10 });
    await expect(check(world.rbac({ maxRetries: 0 }))?.probe()).rejects.toMatchObject({ status: 500 });
    world.dev.arm.setFaults({});
  });
});

describe('role assignments', () => {
  it('creates an assignment under its deterministic name once; again is unchanged', async () => {
    const rbac = world.rbac();
    const olivia = world.dev.graph.state.user('olivia.carter@pimflow.example')?.id ?? '';
    const grant = {
      scope: ARM.keyVault.toLowerCase(),
      roleDefinitionId: ARM.roles.keyVaultSecretsUser,
      principalId: olivia,
      principalType: 'User' as const,
    };
    expect(await rbac.createRoleAssignment(grant)).toBe('changed');
    expect(await rbac.createRoleAssignment(grant)).toBe('unchanged');
    const made = assignmentsAt(ARM.keyVault).filter((a) => a.principalId === olivia);
    expect(made).toEqual([
      expect.objectContaining({
        name: roleAssignmentName(ARM.keyVault, ARM.roles.keyVaultSecretsUser, olivia),
        scope: ARM.keyVault,
        roleDefinitionId: ARM.roles.keyVaultSecretsUser,
        principalType: 'User',
        createdBy: ARM.app,
      }),
    ]);
    const listed = await rbac.listRoleAssignments({ scope: ARM.keyVault, principalId: olivia });
    expect(listed).toEqual([
      {
        id: `${ARM.keyVault}/providers/Microsoft.Authorization/roleAssignments/${made[0]?.name ?? ''}`,
        name: made[0]?.name,
        scope: ARM.keyVault,
        roleDefinitionId: ARM.roles.keyVaultSecretsUser,
        principalId: olivia,
        principalType: 'User',
      },
    ]);

    expect(await rbac.deleteRoleAssignment(grant)).toBe('changed');
    expect(await rbac.deleteRoleAssignment(grant)).toBe('unchanged');
    expect(assignmentsAt(ARM.keyVault).filter((a) => a.principalId === olivia)).toEqual([]);
  });

  it('counts an assignment made by hand under another name as already there, and deletes it', async () => {
    const rbac = world.rbac();
    const jack = world.dev.graph.state.user('jack.thompson@pimflow.example')?.id ?? '';
    const byHand = '0b0b0b0b-1111-4222-8333-444455556666';
    const put = await world.http(
      `${ARM.sandboxRg}/providers/Microsoft.Authorization/roleAssignments/${byHand}?api-version=2022-04-01`,
      {
        method: 'PUT',
        body: JSON.stringify({
          properties: {
            roleDefinitionId: `${ARM.development}/providers/Microsoft.Authorization/roleDefinitions/${ARM.roles.reader}`,
            principalId: jack,
          },
        }),
      },
    );
    expect(put.status).toBe(201);
    const grant = { scope: ARM.sandboxRg, roleDefinitionId: ARM.roles.reader, principalId: jack };
    expect(await rbac.createRoleAssignment({ ...grant, principalType: 'User' })).toBe('unchanged');
    expect(
      assignmentsAt(ARM.sandboxRg)
        .filter((a) => a.principalId === jack)
        .map((a) => a.name),
    ).toEqual([byHand]);
    // The same role inherited from above is another assignment: deleting at the resource group leaves it.
    expect(await rbac.deleteRoleAssignment(grant)).toBe('changed');
    expect(assignmentsAt(ARM.sandboxRg).filter((a) => a.principalId === jack)).toEqual([]);
  });

  it('lists inherited assignments with atScope(), and those below without it', async () => {
    const rbac = world.rbac();
    const atVault = await rbac.listRoleAssignments({ scope: ARM.keyVault, atScope: true });
    expect(atVault).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scope: ARM.keyVault, principalId: ARM.cloudOps }),
        expect.objectContaining({ scope: ARM.platform, principalId: ARM.app }),
        expect.objectContaining({ scope: ARM.production, principalId: ARM.helpdesk }),
      ]),
    );
    expect(atVault.some((a) => a.scope === ARM.webRg)).toBe(false);
    const everywhere = await rbac.listRoleAssignments({ scope: ARM.root });
    expect(everywhere.map((a) => a.name).sort()).toEqual(
      world.dev.arm
        .state()
        .roleAssignments.map((a) => a.name)
        .sort(),
    );
    expect(everywhere.length).toBeGreaterThan(6);
    const underProduction = await rbac.listRoleAssignments({ scope: ARM.production });
    expect(underProduction.some((a) => a.scope === ARM.keyVault)).toBe(true);
    expect(underProduction.some((a) => a.scope === ARM.development)).toBe(false);
    const atProduction = await rbac.listRoleAssignments({ scope: ARM.production, atScope: true });
    expect(atProduction.some((a) => a.scope === ARM.keyVault)).toBe(false);
    const helpdeskReaders = await rbac.listRoleAssignments({
      scope: ARM.financeRg,
      atScope: true,
      principalId: ARM.helpdesk,
      roleDefinitionId: ARM.roles.reader,
    });
    expect(helpdeskReaders.map((a) => a.scope)).toEqual([ARM.production]);
  });

  it('waits out PrincipalNotFound for a principal just created, then assigns', async () => {
    const rbac = world.rbac({ principalNotFoundFirstDelayMs: 500 });
    const id = await world.createUser('arm.newcomer');
    const grant = {
      scope: ARM.webRg,
      roleDefinitionId: ARM.roles.reader,
      principalId: id,
      principalType: 'User' as const,
    };
    const started = Date.now();
    expect(await rbac.createRoleAssignment(grant)).toBe('changed');
    // The stand-in refuses the principal for its first 5 s (ARM's replication delay), so the adapter retried.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(assignmentsAt(ARM.webRg).map((a) => a.principalId)).toContain(id);
  });

  it('gives up on a principal that never appears, as AzureRbacError PrincipalNotFound', async () => {
    const rbac = world.rbac({ principalNotFoundRetryMs: 1500, principalNotFoundFirstDelayMs: 200 });
    const ghost = '0c0c0c0c-1111-4222-8333-444455556666';
    const error = await rbac
      .createRoleAssignment({
        scope: ARM.webRg,
        roleDefinitionId: ARM.roles.reader,
        principalId: ghost,
        principalType: 'User',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureRbacError);
    expect(error).toMatchObject({ status: 400, code: 'PrincipalNotFound' });
  });

  it('survives a storm of 429s, waiting the Retry-After ARM sends', async () => {
    const rbac = world.rbac();
    const emma = world.dev.graph.state.user('emma.schmidt@pimflow.example')?.id ?? '';
    world.dev.arm.failNext({
      method: 'PUT',
      path: '/roleAssignments/',
      status: 429,
      count: 3,
      retryAfterSeconds: 1,
    });
    const before = world.dev.arm.requestCounts().byMethod.PUT ?? 0;
    const started = Date.now();
    const grant = {
      scope: ARM.financeRg,
      roleDefinitionId: ARM.roles.reader,
      principalId: emma,
      principalType: 'User' as const,
    };
    expect(await rbac.createRoleAssignment(grant)).toBe('changed');
    expect((world.dev.arm.requestCounts().byMethod.PUT ?? 0) - before).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(assignmentsAt(ARM.financeRg).map((a) => a.principalId)).toContain(emma);
  });

  it('maps ARM refusals to AzureRbacError with ARM code and status', async () => {
    const rbac = world.rbac();
    world.dev.arm.failNext({
      method: 'DELETE',
      status: 409,
      code: 'ScopeLocked',
      message: 'The scope is locked.',
    });
    const emma = world.dev.graph.state.user('emma.schmidt@pimflow.example')?.id ?? '';
    const error = await rbac
      .deleteRoleAssignment({ scope: ARM.financeRg, roleDefinitionId: ARM.roles.reader, principalId: emma })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AzureRbacError', status: 409, code: 'ScopeLocked' });
    expect(
      await rbac.deleteRoleAssignment({
        scope: ARM.financeRg,
        roleDefinitionId: ARM.roles.reader,
        principalId: emma,
      }),
    ).toBe('changed');
  });
});
