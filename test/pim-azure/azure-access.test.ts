/**
 * The access port for Azure roles (the app's access router, as createAppServices builds it) against the ARM
 * stand-in: grants and revokes land as role assignments at exactly the scope, idempotently, with ARM's principal
 * type from the directory; holders are those with an assignment made at the scope (not inherited from above, not
 * below); a governed subscription's last Owner is never removed (LastAzureOwnerError, and the same rule at submit);
 * and Azure access is named in words from ARM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTarget } from '../../shared/access/access-provider';
import { describeAccess } from '../../shared/access/describe-access';
import { normalizeAzureScope } from '../../shared/access/resource';
import type { AppServices } from '../../shared/composition-root';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN } from '../pim-policy/policy-helpers';

const PROD = '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10';
const DEV = '/subscriptions/2c5f7d3b-8e4a-4f9c-8b12-6d3e9f8a7b21';
const WEB_RG = `${PROD}/resourceGroups/web-rg`;
const FINANCE_RG = `${PROD}/resourceGroups/finance-rg`;
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const FINANCE_APPROVERS = '5954f79c-0342-4f18-a20d-d040bab5dd82';
const BACKUP_CONNECTOR = '4ad61849-2ae0-49a9-8d43-713836660676';

let app: PimApp;
let services: AppServices;
let user: string;

const azure = (resourceId: string, role: string, principalId: string): AccessTarget => ({
  resourceType: 'azureRole',
  resourceId: normalizeAzureScope(resourceId),
  role,
  principalId,
});

/** The stand-in's assignments made at exactly `scope`, of `role`. */
const madeAt = (scope: string, role: string) =>
  app.dev.arm
    .state()
    .roleAssignments.filter(
      (a) =>
        normalizeAzureScope(a.scope) === normalizeAzureScope(scope) &&
        a.roleDefinitionId.toLowerCase() === role,
    );

beforeAll(async () => {
  app = await startPimApp({ armPrincipalReplicationMs: 0 });
  services = await app.services();
  user = app.user('liam.obrien').id;
  const res = await app.api('managedAzureScopes', { ...ADMIN, body: { scope: PROD } });
  expect(res.status, await res.clone().text()).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

describe('granting and revoking an Azure role', () => {
  it('creates one assignment at exactly the scope, as a User; granting again changes nothing', async () => {
    const target = azure(WEB_RG, CONTRIBUTOR, user);
    expect(await services.access.verify(target)).toBe(false);
    await services.access.grant(target);
    await services.access.grant(target);
    const made = madeAt(WEB_RG, CONTRIBUTOR).filter((a) => a.principalId === user);
    expect(made).toHaveLength(1);
    expect(made[0]?.principalType).toBe('User');
    expect(await services.access.verify(target)).toBe(true);
    expect(await services.access.listHolders(target.resourceId, CONTRIBUTOR, 'azureRole')).toContain(user);
  });

  it('takes the principal type from the directory: a security group is a Group, an app a ServicePrincipal', async () => {
    await services.access.grant(azure(WEB_RG, READER, FINANCE_APPROVERS));
    await services.access.grant(azure(WEB_RG, READER, BACKUP_CONNECTOR));
    const made = madeAt(WEB_RG, READER);
    expect(made.find((a) => a.principalId === FINANCE_APPROVERS)?.principalType).toBe('Group');
    expect(made.find((a) => a.principalId === BACKUP_CONNECTOR)?.principalType).toBe('ServicePrincipal');
  });

  it('revokes only the assignment at that scope, idempotently', async () => {
    const target = azure(WEB_RG, CONTRIBUTOR, user);
    await services.access.grant(azure(FINANCE_RG, CONTRIBUTOR, user));
    await services.access.revoke(target);
    await services.access.revoke(target);
    expect(madeAt(WEB_RG, CONTRIBUTOR).some((a) => a.principalId === user)).toBe(false);
    expect(await services.access.verify(target)).toBe(false);
    // The same role elsewhere stays.
    expect(madeAt(FINANCE_RG, CONTRIBUTOR).some((a) => a.principalId === user)).toBe(true);
    expect(await services.access.verify(azure(FINANCE_RG, CONTRIBUTOR, user))).toBe(true);
    await services.access.revoke(azure(FINANCE_RG, CONTRIBUTOR, user));
  });
});

describe('holders', () => {
  it('are those with an assignment made at the scope: not inherited from above, not made below', async () => {
    // The Helpdesk group is Reader on Contoso Production: a holder there, not at web-rg (it inherits it).
    expect(await services.access.listHolders(normalizeAzureScope(PROD), READER, 'azureRole')).toContain(
      DEMO.helpdeskGroup,
    );
    const atWeb = await services.access.listHolders(normalizeAzureScope(WEB_RG), READER, 'azureRole');
    expect(atWeb).not.toContain(DEMO.helpdeskGroup);
    expect(atWeb).toContain(FINANCE_APPROVERS);
    expect(await services.access.verify(azure(WEB_RG, READER, DEMO.helpdeskGroup))).toBe(false);
    // finance-rg's Contributor is no holder at the subscription.
    expect(await services.access.listHolders(normalizeAzureScope(PROD), CONTRIBUTOR, 'azureRole')).toEqual(
      [],
    );
  });
});

describe("a governed subscription's last Owner", () => {
  it('is never removed: the revoke is refused and ARM keeps the assignment; the submit rule says why', async () => {
    const target = azure(PROD, OWNER, DEMO.admin);
    await expect(services.access.revoke(target)).rejects.toMatchObject({ name: 'LastAzureOwnerError' });
    expect(madeAt(PROD, OWNER).map((a) => a.principalId)).toEqual([DEMO.admin]);
    expect(await services.whyRemovalRefused(target)).toMatch(
      /last Owner assignment of subscription Contoso Production/,
    );
  });

  it('may go once someone else is Owner at or above the subscription; an ungoverned subscription has no such rule', async () => {
    await services.access.grant(azure(PROD, OWNER, user));
    expect(await services.whyRemovalRefused(azure(PROD, OWNER, DEMO.admin))).toBeNull();
    await services.access.revoke(azure(PROD, OWNER, user));
    expect(madeAt(PROD, OWNER).map((a) => a.principalId)).toEqual([DEMO.admin]);
    expect(await services.whyRemovalRefused(azure(DEV, OWNER, DEMO.admin))).toBeNull();
  });

  it('counts no Owner made below the subscription', async () => {
    await services.access.grant(azure(WEB_RG, OWNER, user));
    await expect(services.access.revoke(azure(PROD, OWNER, DEMO.admin))).rejects.toMatchObject({
      name: 'LastAzureOwnerError',
    });
    await services.access.revoke(azure(WEB_RG, OWNER, user));
  });
});

describe('Azure access in words', () => {
  it('names the role and the scope from ARM', async () => {
    const words = await describeAccess(services, {
      resourceType: 'azureRole',
      groupId: normalizeAzureScope(FINANCE_RG),
      accessId: CONTRIBUTOR,
    });
    expect(words).toEqual({
      name: 'Contributor',
      phrase: 'the Contributor role on finance-rg',
      facts: [
        ['Role', 'Contributor'],
        ['Scope', 'Resource group finance-rg'],
      ],
    });
  });
});
