/**
 * The pure parts of Azure roles in the core: who may hold an Azure role (principal rules), how refusals name an
 * Azure scope, PIM's defaults for Azure resource role settings, the default approvers of an Azure role, which
 * managed scope governs a scope, and the last-Owner rule's decision over ARM's answers (a fake of the AzureRbac
 * port; the end-to-end tests against the ARM stand-in are azure-access.test.ts and managed-scopes.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { approvalPlan } from '../../shared/approvals/domain/approval-stages';
import type { AzureRbac, AzureRoleAssignment } from '../../shared/azure/azure-rbac';
import {
  isAtOrBelow,
  managedAzureScopeId,
  nearestManaged,
} from '../../shared/managed-azure/domain/managed-scope';
import {
  isProtectedAzureRemoval,
  OWNER,
  USER_ACCESS_ADMINISTRATOR,
  whyLastAzureOwner,
  type LastOwnerDeps,
} from '../../shared/managed-azure/last-owner-guard';
import { defaultAzureRolePolicy } from '../../shared/policies/domain/policy';
import { toRoleSettings } from '../../shared/policies/domain/policy-role-settings';
import {
  checkAzureRolePrincipal,
  resourcePhrase,
  targetNoun,
} from '../../shared/requests/domain/principal-rules';

const PROD = '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10';
const FINANCE_RG = `${PROD}/resourceGroups/finance-rg`;
const PLATFORM = '/providers/Microsoft.Management/managementGroups/pimflow-platform';
const ROOT_MG = '/providers/Microsoft.Management/managementGroups/7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const ADMIN = '0a1b2c3d-0000-4000-8000-000000000001';
const ALICE = '0a1b2c3d-0000-4000-8000-000000000002';

describe('who may hold an Azure role', () => {
  const user = { id: ALICE, type: 'user' as const };
  const securityGroup = { id: 'g1', type: 'group' as const, isSecurityGroup: true };
  const m365Group = { id: 'g2', type: 'group' as const, isSecurityGroup: false };
  const sp = { id: 'sp1', type: 'servicePrincipal' as const };

  it('takes users and security groups (role-assignable or not) as eligible and active', () => {
    for (const kind of ['eligibility', 'assignment'] as const) {
      expect(checkAzureRolePrincipal(user, ALICE, kind, 'adminAssign')).toBeUndefined();
      expect(checkAzureRolePrincipal(securityGroup, 'g1', kind, 'adminAssign')).toBeUndefined();
    }
  });

  it('refuses Microsoft 365 and mail-only groups', () => {
    expect(checkAzureRolePrincipal(m365Group, 'g2', 'eligibility', 'adminAssign')?.detail).toMatch(
      /security groups/,
    );
  });

  it('takes service principals (and managed identities) only as active assignments', () => {
    expect(checkAzureRolePrincipal(sp, 'sp1', 'assignment', 'adminAssign')).toBeUndefined();
    expect(checkAzureRolePrincipal(sp, 'sp1', 'eligibility', 'adminAssign')?.kind).toBe('invalid');
    expect(checkAzureRolePrincipal(sp, 'sp1', 'assignment', 'selfActivate')?.kind).toBe('invalid');
  });

  it('refuses a principal the directory does not have, and other kinds', () => {
    expect(checkAzureRolePrincipal(null, 'x', 'assignment', 'adminAssign')?.detail).toMatch(/No principal x/);
    expect(checkAzureRolePrincipal({ id: 'd', type: 'other' }, 'd', 'assignment', 'adminAssign')?.kind).toBe(
      'invalid',
    );
  });

  it('names the scope, never a group, in refusals', () => {
    const r = { resourceType: 'azureRole', groupId: FINANCE_RG.toLowerCase() };
    expect(resourcePhrase(r)).toBe(`at scope ${FINANCE_RG.toLowerCase()}`);
    expect(targetNoun(r)).toBe('scope');
  });
});

describe("PIM's defaults for an Azure resource role", () => {
  const governed = { scope: PROD, managedSince: '2026-12-01T00:00:00.000Z' };
  const now = new Date('2026-12-02T00:00:00.000Z');

  it('activation up to 8 h with MFA and justification; assignments expire (1 year eligible, 6 months active)', () => {
    const settings = toRoleSettings(defaultAzureRolePolicy(governed, CONTRIBUTOR, now));
    expect(settings.activation).toMatchObject({
      maximumDuration: 'PT8H',
      requireMfa: true,
      requireJustification: true,
      requireApproval: false,
    });
    expect(settings.eligibleAssignment).toEqual({ allowPermanent: false, maximumDuration: 'P365D' });
    expect(settings.activeAssignment).toMatchObject({
      allowPermanent: false,
      maximumDuration: 'P180D',
      requireMfa: false,
      requireJustification: true,
    });
  });

  it('has a GUID id of (scope, role, management period), in any spelling of the scope', () => {
    const a = defaultAzureRolePolicy(governed, CONTRIBUTOR, now);
    const b = defaultAzureRolePolicy(
      { ...governed, scope: PROD.toUpperCase() },
      CONTRIBUTOR.toUpperCase(),
      now,
    );
    const later = defaultAzureRolePolicy(
      { ...governed, managedSince: '2026-12-03T00:00:00.000Z' },
      CONTRIBUTOR,
      now,
    );
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.id).toBe(a.id);
    expect(later.id).not.toBe(a.id);
    expect(a.scopeId).toBe(PROD.toLowerCase());
  });
});

describe('default approvers of an Azure role', () => {
  it("are the directory's privileged role administrators when the approval rule names none", () => {
    const settings = toRoleSettings(
      defaultAzureRolePolicy(
        { scope: PROD, managedSince: '2026-12-01T00:00:00.000Z' },
        CONTRIBUTOR,
        new Date(),
      ),
    );
    const plan = approvalPlan(
      { ...settings, activation: { ...settings.activation, requireApproval: true } },
      { kind: 'activation' },
      'azureRole',
    );
    expect(plan.map((s) => s.approvers)).toEqual([[{ type: 'privilegedRoleAdmins' }]]);
  });
});

describe('which managed scope governs a scope', () => {
  it('derives the same id from any spelling of a scope', () => {
    expect(managedAzureScopeId(`${FINANCE_RG.toUpperCase()}/`)).toBe(managedAzureScopeId(FINANCE_RG));
    expect(managedAzureScopeId(FINANCE_RG)).not.toBe(managedAzureScopeId(PROD));
  });

  it('is the nearest managed one, the scope itself first', () => {
    const managed = [{ scope: PROD.toLowerCase() }, { scope: PLATFORM.toLowerCase() }];
    expect(nearestManaged([FINANCE_RG, PROD, PLATFORM], managed)).toEqual({ scope: PROD.toLowerCase() });
    expect(nearestManaged([PLATFORM], managed)).toEqual({ scope: PLATFORM.toLowerCase() });
    expect(nearestManaged([FINANCE_RG], managed)).toBeUndefined();
  });

  it('keeps in a baseline what is made at or below the scope, not what is inherited from above', () => {
    const ancestors = [PLATFORM, ROOT_MG];
    expect(isAtOrBelow(PROD, ancestors)).toBe(true);
    expect(isAtOrBelow(FINANCE_RG, ancestors)).toBe(true);
    expect(isAtOrBelow(PLATFORM.toUpperCase(), ancestors)).toBe(false);
    expect(isAtOrBelow('/', ancestors)).toBe(false);
  });
});

describe('the last Owner of a governed subscription', () => {
  const assignment = (scope: string, principalId: string, role = OWNER): AzureRoleAssignment => ({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
    name: 'x',
    scope,
    roleDefinitionId: role,
    principalId,
    principalType: 'User',
  });
  const fake = (assignments: AzureRoleAssignment[], managedScopes: string[]): LastOwnerDeps => {
    const rbac: Pick<AzureRbac, 'getScope' | 'listRoleAssignments'> = {
      getScope: (scope) =>
        Promise.resolve({
          id: scope,
          kind: 'subscription',
          displayName: 'Contoso Production',
          type: 'Microsoft.Resources/subscriptions',
          ancestors: [PLATFORM, ROOT_MG],
        }),
      listRoleAssignments: (q) =>
        Promise.resolve(
          assignments.filter(
            (a) =>
              a.roleDefinitionId === q.roleDefinitionId &&
              [q.scope, PLATFORM, ROOT_MG].some((s) => s.toLowerCase() === a.scope.toLowerCase()),
          ),
        ),
    };
    const managed = managedScopes.map((scope) => ({ scope: scope.toLowerCase() }));
    return {
      azureRbac: rbac,
      managedAzureScopes: {
        findByScope: (scope: string) =>
          Promise.resolve(managed.find((m) => m.scope === scope.toLowerCase()) as never),
        listAll: () => Promise.resolve({ items: [], continuationToken: undefined }),
      },
    };
  };
  const removing = (principalId: string, role = OWNER, scope = PROD) => ({
    resourceId: scope,
    role,
    principalId,
  });

  it('only matters for Owner and User Access Administrator at a subscription or above', () => {
    expect(isProtectedAzureRemoval({ resourceId: PROD, role: OWNER })).toBe(true);
    expect(isProtectedAzureRemoval({ resourceId: PLATFORM, role: USER_ACCESS_ADMINISTRATOR })).toBe(true);
    expect(isProtectedAzureRemoval({ resourceId: FINANCE_RG, role: OWNER })).toBe(false);
    expect(isProtectedAzureRemoval({ resourceId: PROD, role: CONTRIBUTOR })).toBe(false);
  });

  it('refuses removing the only Owner of a managed subscription', async () => {
    const deps = fake([assignment(PROD, ADMIN)], [PROD]);
    expect(await whyLastAzureOwner(deps, removing(ADMIN))).toMatch(
      /last Owner assignment of subscription Contoso Production/,
    );
  });

  it('lets it go when another Owner is made at or above the subscription', async () => {
    expect(
      await whyLastAzureOwner(
        fake([assignment(PROD, ADMIN), assignment(PROD, ALICE)], [PROD]),
        removing(ADMIN),
      ),
    ).toBeNull();
    expect(
      await whyLastAzureOwner(
        fake([assignment(PROD, ADMIN), assignment(PLATFORM, ALICE)], [PROD]),
        removing(ADMIN),
      ),
    ).toBeNull();
  });

  it('counts an Owner at a resource group for nothing', async () => {
    const deps = fake([assignment(PROD, ADMIN), assignment(FINANCE_RG, ALICE)], [PROD]);
    expect(await whyLastAzureOwner(deps, removing(ADMIN))).not.toBeNull();
  });

  it('guards a subscription under a managed management group, not an unmanaged one', async () => {
    expect(
      await whyLastAzureOwner(fake([assignment(PROD, ADMIN)], [PLATFORM]), removing(ADMIN)),
    ).not.toBeNull();
    expect(await whyLastAzureOwner(fake([assignment(PROD, ADMIN)], []), removing(ADMIN))).toBeNull();
  });

  it('keeps the last User Access Administrator too, and lets an assignment already gone be', async () => {
    const uaa = fake([assignment(PROD, ADMIN, USER_ACCESS_ADMINISTRATOR)], [PROD]);
    expect(await whyLastAzureOwner(uaa, removing(ADMIN, USER_ACCESS_ADMINISTRATOR))).toMatch(
      /User Access Administrator/,
    );
    expect(await whyLastAzureOwner(uaa, removing(ALICE, USER_ACCESS_ADMINISTRATOR))).toBeNull();
  });
});
