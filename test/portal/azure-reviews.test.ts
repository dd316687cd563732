/**
 * A review of an Azure resource role in the portal (Key Vault Administrator on kv-finance, the Cloud Ops group
 * expanded): the reviewer's item names the role with its scope and the group the access comes through; once a
 * group-based denial is applied, the admin's instance page lists it as needing an admin's action, with the group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';
import { ADMIN } from '../pim/pim-scenario';
import { byPrincipal, decisions, REVIEWS, users, type StartedReview } from '../reviews/instance-helpers';
import { FINANCE_RG, PRODUCTION, manageScope } from '../pim-azure/azure-scenario';

const KV_FINANCE = `${FINANCE_RG}/providers/Microsoft.KeyVault/vaults/kv-finance`;
const KEY_VAULT_ADMIN = '00482a5a-887f-4fb3-b363-3b7fe8e74483';
const REVIEWER = 'daniel.kim';
/** A direct member of the Cloud Ops group, which is assigned Key Vault Administrator on kv-finance. */
const THROUGH_GROUP = 'marcus.johnson';
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
let portal: PortalTest;
let review: StartedReview;

beforeAll(async () => {
  portal = await startPortalTest({ virtualClock: NOW });
  const { app } = portal;
  await manageScope(app, PRODUCTION);
  const res = await app.api(REVIEWS, {
    ...ADMIN,
    body: {
      displayName: 'Key Vault admins review',
      reviewers: users(app.user(REVIEWER).id),
      settings: { instanceDurationInDays: 14 },
      scope: {
        '@odata.type': '#pimflow.groupRoleReviewScope',
        roles: [{ roleDefinitionId: KEY_VAULT_ADMIN, azureScope: KV_FINANCE }],
        assignmentTypes: 'both',
        principalTypes: ['user'],
      },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const definitionId = ((await res.json()) as { id: string }).id;
  await app.rt.waitForIdle();
  const instances = await app.json<{ value: { id: string }[] }>(
    `${REVIEWS}/${definitionId}/instances`,
    ADMIN,
  );
  const instanceId = instances.value[0]?.id ?? '';
  review = { definitionId, instanceId, url: `${REVIEWS}/${definitionId}/instances/${instanceId}` };
}, 120_000);
afterAll(async () => {
  await portal?.close();
});

describe('A review of an Azure resource role', () => {
  it('the reviewer sees the scope and the group; a group-based denial is listed for the admin with the group to change', async () => {
    const { app } = portal;
    const member = app.user(THROUGH_GROUP);
    const all = (await decisions(app, review, ADMIN)) as (ReturnType<typeof byPrincipal> & {
      accessThroughGroup: { displayName: string } | null;
    })[];
    const groupName =
      (byPrincipal(all, member.id) as (typeof all)[number]).accessThroughGroup?.displayName ?? '';
    expect(groupName).not.toBe('');

    const page = await portal.open(REVIEWER, {
      route: `#/reviews/${review.definitionId}/${review.instanceId}`,
    });
    const card = page.getByRole('listitem').filter({ hasText: member.displayName });
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('Key Vault Administrator · kv-finance (Resource)');
    expect(text).toContain(`Through the group ${groupName}`);
    await portal.screenshot(page, 'reviews-azure-role');
    await expectAccessible(page, 'a review of an Azure role');
    expect(portal.problems(page)).toEqual([]);

    // Denied, stopped and applied through the API: the denial can't be carried out (the group may carry other access).
    const mine = await decisions(app, review, { as: app.user(REVIEWER).userPrincipalName });
    const deny = await app.api(`${review.url}/decisions/${byPrincipal(mine, member.id).id}`, {
      as: app.user(REVIEWER).userPrincipalName,
      method: 'PATCH',
      body: { decision: 'Deny', justification: 'No longer administers the vault' },
    });
    expect(deny.status, await deny.clone().text()).toBe(204);
    expect((await app.api(`${review.url}/stop`, { ...ADMIN, method: 'POST' })).status).toBe(204);
    await app.rt.waitForIdle();
    expect((await app.api(`${review.url}/applyDecisions`, { ...ADMIN, method: 'POST' })).status).toBe(204);
    await app.rt.waitForIdle();

    const admin = await portal.open('admin', {
      route: `#/admin/reviews/${review.definitionId}/${review.instanceId}`,
    });
    const left = admin.getByRole('list', { name: 'Denials left to an admin' }).getByRole('listitem');
    await left.first().waitFor();
    expect(await left.count()).toBe(1);
    const leftText = (await left.first().textContent()) ?? '';
    expect(leftText).toContain(member.userPrincipalName);
    expect(leftText).toContain(groupName);
    await portal.screenshot(admin, 'admin-reviews-azure-left-to-admins');
    await expectAccessible(admin, "an Azure review's denials left to an admin");
    expect(portal.problems(admin)).toEqual([]);
  }, 120_000);
});
