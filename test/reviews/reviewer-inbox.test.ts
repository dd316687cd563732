/**
 * The reviewer's inbox through the HTTP API: `filterByCurrentUser(on='reviewer')` on access review definitions,
 * on a definition's instances and on an instance's decision items shows what the caller reviews — selected
 * reviewers their reviews, a self-reviewer their own item — and nothing of reviews they don't take part in, admins
 * included; an `on` other than `reviewer` is a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, manageGroup } from '../pim/pim-scenario';
import { eligible, REVIEWS, startReview, users, type StartedReview } from './instance-helpers';

const GROUP = DEMO.helpdeskGroup;
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const PRINCIPALS = ['ava.martinez', 'grace.okafor', 'noah.williams'];
const INBOX = "filterByCurrentUser(on='reviewer')";

let app: PimApp;
let byPriya: StartedReview; // reviewers: Priya and Lucas
let selfReview: StartedReview; // each principal reviews their own access
const id = (upn: string) => app.user(upn).id;
const as = (upn: string) => ({ as: `${upn}@pimflow.example` });

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  await manageGroup(app, GROUP);
  for (const upn of PRINCIPALS) await eligible(app, GROUP, id(upn));
  await app.rt.waitForIdle();
  byPriya = await startReview(app, GROUP, {
    displayName: 'Reviewed by Priya and Lucas',
    reviewers: users(id('priya.nair'), id('lucas.dubois')),
  });
  selfReview = await startReview(app, GROUP, { displayName: 'Self review', reviewers: [] });
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

const ids = async (path: string, who: { as: string; roles?: string[] }) =>
  (await app.json<{ value: { id: string }[] }>(path, who)).value.map((v) => v.id);

describe("the reviewer's inbox", () => {
  it('lists the definitions in which the caller reviews items', async () => {
    expect(await ids(`${REVIEWS}/${INBOX}`, as('priya.nair'))).toEqual([byPriya.definitionId]);
    expect(await ids(`${REVIEWS}/${INBOX}`, as('lucas.dubois'))).toEqual([byPriya.definitionId]);
    expect(await ids(`${REVIEWS}/${INBOX}`, as('grace.okafor'))).toEqual([selfReview.definitionId]);
    expect(await ids(`${REVIEWS}/${INBOX}`, as('olivia.carter'))).toEqual([]);
    expect(await ids(`${REVIEWS}/${INBOX}`, ADMIN)).toEqual([]); // an admin reads everything, but reviews nothing
  });

  it("lists a definition's instances in which the caller reviews items", async () => {
    const instances = (r: StartedReview) => `${REVIEWS}/${r.definitionId}/instances/${INBOX}`;
    expect(await ids(instances(byPriya), as('priya.nair'))).toEqual([byPriya.instanceId]);
    expect(await ids(instances(selfReview), as('priya.nair'))).toEqual([]);
    expect(await ids(instances(selfReview), as('ava.martinez'))).toEqual([selfReview.instanceId]);
    await expectApiError(
      await app.api(`${REVIEWS}/8d2f0c35-1111-4222-8333-944445555666/instances/${INBOX}`, as('priya.nair')),
      404,
    );
  });

  it("lists the caller's own decision items, decided or not ($filter narrows to what is left)", async () => {
    const mine = `${byPriya.url}/decisions/${INBOX}`;
    const priyas = await app.json<{ value: { id: string; principal: { id: string } }[] }>(
      mine,
      as('priya.nair'),
    );
    expect(priyas.value.map((d) => d.principal.id).sort()).toEqual(PRINCIPALS.map(id).sort());
    expect(await ids(mine, ADMIN)).toEqual([]); // the plain list shows an admin all three
    expect(await ids(`${byPriya.url}/decisions`, ADMIN)).toHaveLength(3);

    const selfItems = await app.json<{ value: { principal: { id: string } }[] }>(
      `${selfReview.url}/decisions/${INBOX}`,
      as('grace.okafor'),
    );
    expect(selfItems.value.map((d) => d.principal.id)).toEqual([id('grace.okafor')]);

    const first = priyas.value[0]!;
    const decided = await app.api(`${byPriya.url}/decisions/${first.id}`, {
      ...as('priya.nair'),
      method: 'PATCH',
      body: { decision: 'Deny', justification: 'Left the team' },
    });
    expect(decided.status, await decided.clone().text()).toBe(204);
    const left = `${mine}?$filter=${encodeURIComponent("decision eq 'NotReviewed'")}`;
    expect((await ids(left, as('priya.nair'))).sort()).toEqual(
      priyas.value
        .filter((d) => d.id !== first.id)
        .map((d) => d.id)
        .sort(),
    );
    expect(await ids(left, as('lucas.dubois'))).not.toContain(first.id); // one decision per item, for both
  });

  it("answers 400 for an on other than 'reviewer', on each collection", async () => {
    for (const path of [
      REVIEWS,
      `${REVIEWS}/${byPriya.definitionId}/instances`,
      `${byPriya.url}/decisions`,
    ]) {
      await expectApiError(
        await app.api(`${path}/filterByCurrentUser(on='principal')`, as('priya.nair')),
        400,
        /on must be 'reviewer'/,
        path,
      );
    }
  });
});
