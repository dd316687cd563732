/** The Graph stand-in over raw HTTPS: Graph's URL shapes, query options, status codes and error bodies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTenant, startGraphFixture, type GraphFixture } from './graph-fixture';

type Page = { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
type ErrorBody = { error: { code: string; message: string; innerError: Record<string, string> } };

const DAY = 24 * 3600_000;
const t = demoTenant();
let f: GraphFixture;

beforeAll(async () => {
  f = await startGraphFixture();
});
afterAll(async () => {
  await f.close();
});

async function expectError(res: Response, status: number, code: string, message?: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
  expect(body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
}

describe('authentication', () => {
  it('answers 401 InvalidAuthenticationToken without a token or with a wrong one', async () => {
    expect(f.standIn.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    const none = await f.http('/users', { token: null });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    await expectError(none, 401, 'InvalidAuthenticationToken', /Access token is empty/);
    await expectError(await f.http('/users', { token: 'forged' }), 401, 'InvalidAuthenticationToken');
    expect((await f.http('/users')).status).toBe(200);
  });
});

describe('users', () => {
  it('lists users with Graph default properties, and signInActivity when selected', async () => {
    const page = await f.json<Page>('/users');
    expect(page.value).toHaveLength(26);
    expect(page['@odata.nextLink']).toBeUndefined();
    const admin = page.value.find((u) => u.userPrincipalName === 'admin@pimflow.example');
    expect(admin).toMatchObject({
      id: t.user('admin'),
      displayName: 'Morgan Blake (Admin)',
      businessPhones: [],
    });
    expect(admin).not.toHaveProperty('accountEnabled');
    expect(admin).not.toHaveProperty('signInActivity');

    const selected = await f.json<Page>('/users?$select=id,userPrincipalName,signInActivity');
    const lastSignIn = new Map(
      selected.value.map((u) => [
        u.userPrincipalName,
        (u.signInActivity as { lastSignInDateTime: string | null }).lastSignInDateTime,
      ]),
    );
    expect(Object.keys(selected.value[0] ?? {})).toEqual(['id', 'userPrincipalName', 'signInActivity']);
    // Seed times are relative to the stand-in's start: most within a week, some 40-200 days, two never.
    const ages = [...lastSignIn.values()].map((v) =>
      v === null ? null : (Date.now() - Date.parse(v)) / DAY,
    );
    expect(ages.filter((a) => a === null)).toHaveLength(2);
    expect(ages.filter((a) => a !== null && a < 7).length).toBeGreaterThan(15);
    expect(ages.filter((a) => a !== null && a > 40 && a < 200).length).toBeGreaterThanOrEqual(4);
    expect(lastSignIn.get('grace.okafor@pimflow.example')).toBeNull();
  });

  it('supports $filter eq, startswith and in, and refuses what it cannot run', async () => {
    const values = async (q: string): Promise<unknown[]> =>
      (await f.json<Page>(`/users?$select=userPrincipalName&$filter=${encodeURIComponent(q)}`)).value.map(
        (u) => u.userPrincipalName,
      );
    expect(await values("userPrincipalName eq 'LIAM.OBRIEN@pimflow.example'")).toEqual([
      'liam.obrien@pimflow.example',
    ]);
    expect(await values("displayName eq 'Liam O''Brien'")).toEqual(['liam.obrien@pimflow.example']);
    expect(await values("startswith(displayName,'ch')")).toEqual(['charlotte.davies@pimflow.example']);
    expect(await values(`id in ('${t.user('mia.chen')}','${t.user('ava.martinez')}')`)).toEqual([
      'ava.martinez@pimflow.example',
      'mia.chen@pimflow.example',
    ]);
    expect(await values('accountEnabled eq false')).toEqual(['ruby.walsh@pimflow.example']);
    expect(await values("department eq 'Finance' and startswith(displayName,'L')")).toEqual([
      'leo.fischer@pimflow.example',
    ]);
    await expectError(
      await f.http(`/users?$filter=${encodeURIComponent("officeLocation eq 'London'")}`),
      400,
      'Request_UnsupportedQuery',
      /property 'officeLocation'/,
    );
    await expectError(
      await f.http('/users?$filter=displayName%20eq'),
      400,
      'BadRequest',
      /Invalid filter clause/,
    );
    await expectError(await f.http('/users?$orderby=displayName'), 400, 'Request_UnsupportedQuery');
    await expectError(
      await f.http('/users?$select=id,shoeSize'),
      400,
      'BadRequest',
      /Could not find a property named 'shoeSize' on type 'microsoft.graph.user'/,
    );
  });

  it('pages with $top and @odata.nextLink, keeping the other options; $top is 1..999', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/users?$top=7&$select=id,displayName';
    let pages = 0;
    while (next) {
      const page: Page = await f.json<Page>(next);
      expect(page.value.length).toBeLessThanOrEqual(7);
      expect(Object.keys(page.value[0] ?? {})).toEqual(['id', 'displayName']);
      seen.push(...page.value.map((u) => String(u.id)));
      next = page['@odata.nextLink'];
      if (next) expect(next).toMatch(/\$skiptoken=/);
      pages++;
    }
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(26);
    await expectError(
      await f.http('/users?$top=1000'),
      400,
      'Request_UnsupportedQuery',
      /Must be between 1 and 999 inclusive/,
    );
  });

  it('gets a user by id or userPrincipalName; unknown ones are 404 Request_ResourceNotFound', async () => {
    expect(await f.json('/users/noah.williams@pimflow.example?$select=id')).toMatchObject({
      id: t.user('noah.williams'),
    });
    expect(await f.json(`/users/${t.user('noah.williams')}?$select=jobTitle`)).toMatchObject({
      jobTitle: 'Helpdesk Technician',
    });
    await expectError(
      await f.http('/users/nobody@pimflow.example'),
      404,
      'Request_ResourceNotFound',
      /Resource 'nobody@pimflow.example' does not exist/,
    );
  });

  it('answers the manager, 404 when there is none, and $expand=manager', async () => {
    const manager = await f.json(`/users/${t.user('liam.obrien')}/manager?$select=id,displayName`);
    expect(manager).toMatchObject({
      '@odata.type': '#microsoft.graph.user',
      id: t.user('sofia.rossi'),
      displayName: 'Sofia Rossi',
    });
    await expectError(
      await f.http(`/users/${t.user('olivia.carter')}/manager`),
      404,
      'Request_ResourceNotFound',
      /Resource 'manager' does not exist/,
    );
    const expanded = await f.json<Page>(
      `/users?$select=id,userPrincipalName&$expand=manager($select=id)&$filter=${encodeURIComponent("startswith(userPrincipalName,'o')")}`,
    );
    expect(expanded.value).toEqual([
      { id: t.user('olivia.carter'), userPrincipalName: 'olivia.carter@pimflow.example' },
      {
        id: t.user('oscar.petrov'),
        userPrincipalName: 'oscar.petrov@pimflow.example',
        manager: { '@odata.type': '#microsoft.graph.user', id: t.user('jack.thompson') },
      },
    ]);
  });

  it('answers unknown segments 400 and unsupported methods 405, as Graph does', async () => {
    await expectError(
      await f.http('/users/admin@pimflow.example/shoes'),
      400,
      'BadRequest',
      /Resource not found for the segment 'shoes'/,
    );
    await expectError(await f.http('/teams'), 400, 'BadRequest', /segment 'teams'/);
    await expectError(await f.http('/users', { method: 'PUT', body: '{}' }), 405, 'Request_BadRequest');
    await expectError(
      await f.http('/groups/not-a-guid'),
      400,
      'Request_BadRequest',
      /Invalid object identifier/,
    );
  });
});

describe('groups', () => {
  it('lists members, owners and transitive members with @odata.type', async () => {
    const cloudOps = t.group('Cloud Ops');
    const members = await f.json<Page>(`/groups/${cloudOps}/members?$select=id,displayName`);
    expect(members.value.map((m) => m['@odata.type'])).toEqual([
      '#microsoft.graph.user',
      '#microsoft.graph.user',
      '#microsoft.graph.group',
      '#microsoft.graph.servicePrincipal',
    ]);
    const owners = await f.json<Page>(`/groups/${cloudOps}/owners?$select=id`);
    expect(owners.value.map((o) => o.id)).toEqual([
      t.user('marcus.johnson'),
      t.servicePrincipal('pimflow-automation'),
    ]);
    // SRE On-Call is nested in Cloud Ops; Ava is in both and listed once.
    const transitive = await f.json<Page>(`/groups/${cloudOps}/transitiveMembers?$select=id`);
    const ids = transitive.value.map((m) => m.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids)).toEqual(
      new Set([
        t.user('marcus.johnson'),
        t.user('ava.martinez'),
        t.group('SRE On-Call'),
        t.servicePrincipal('pimflow-automation'),
        t.user('mia.chen'),
        t.user('ethan.brown'),
      ]),
    );
    const helpdesk = await f.json(`/groups/${t.group('Helpdesk Admin-Group')}`);
    expect(helpdesk).toMatchObject({ displayName: 'Helpdesk Admin-Group', isAssignableToRole: true });
    expect(await f.json(`/directoryObjects/${t.servicePrincipal('pimflow-automation')}`)).toMatchObject({
      '@odata.type': '#microsoft.graph.servicePrincipal',
      displayName: 'pimflow-automation',
    });
  });

  it('adds and removes references with Graph answers for duplicates, unknown objects and the last owner', async () => {
    const group = t.group('Finance Approvers');
    const ref = (id: string): string =>
      JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
    const james = t.user('james.wilson');
    expect((await f.http(`/groups/${group}/members/$ref`, { method: 'POST', body: ref(james) })).status).toBe(
      204,
    );
    expect(await f.ids(group, 'members')).toContain(james);
    await expectError(
      await f.http(`/groups/${group}/members/$ref`, { method: 'POST', body: ref(james) }),
      400,
      'Request_BadRequest',
      /One or more added object references already exist for the following modified properties: 'members'\./,
    );
    const ghost = '0b7c9a4e-1111-4222-8333-444455556666';
    await expectError(
      await f.http(`/groups/${group}/members/$ref`, { method: 'POST', body: ref(ghost) }),
      404,
      'Request_ResourceNotFound',
    );
    expect((await f.http(`/groups/${group}/members/${james}/$ref`, { method: 'DELETE' })).status).toBe(204);
    await expectError(
      await f.http(`/groups/${group}/members/${james}/$ref`, { method: 'DELETE' }),
      404,
      'Request_ResourceNotFound',
    );
    expect(await f.ids(group, 'members')).not.toContain(james);

    await expectError(
      await f.http(`/groups/${group}/owners/${t.user('priya.nair')}/$ref`, { method: 'DELETE' }),
      400,
      'Request_BadRequest',
      /must have at least one owner/,
    );
    await expectError(
      await f.http(`/groups/${t.group('Helpdesk Admin-Group')}/members/$ref`, {
        method: 'POST',
        body: ref(t.group('Payroll Readers')),
      }),
      400,
      'Request_BadRequest',
      /role-assignable/,
    );
  });
});

describe('$batch', () => {
  it('answers each sub-request on its own, 424 after a failed dependency, 400 for more than 20', async () => {
    const group = t.group('Payroll Readers');
    const body = (id: string): Record<string, unknown> => ({
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}`,
    });
    const json = { 'Content-Type': 'application/json' };
    const res = await f.json<{ responses: { id: string; status: number; body?: ErrorBody }[] }>('/$batch', {
      method: 'POST',
      body: JSON.stringify({
        requests: [
          {
            id: '1',
            method: 'POST',
            url: `/groups/${group}/members/$ref`,
            headers: json,
            body: body(t.user('henry.taylor')),
          },
          {
            id: '2',
            method: 'POST',
            url: `/groups/${group}/members/$ref`,
            headers: json,
            body: body(t.user('harper.singh')),
          },
          { id: '3', method: 'GET', url: '/users/nobody@pimflow.example' },
          { id: '4', method: 'GET', url: `/users/${t.user('henry.taylor')}?$select=id`, dependsOn: ['3'] },
          {
            id: '5',
            method: 'DELETE',
            url: `/groups/${group}/members/${t.user('henry.taylor')}/$ref`,
            dependsOn: ['1'],
          },
        ],
      }),
    });
    expect(res.responses.map((r) => [r.id, r.status])).toEqual([
      ['1', 204],
      ['2', 400],
      ['3', 404],
      ['4', 424],
      ['5', 204],
    ]);
    expect(res.responses[1]?.body?.error.message).toMatch(/already exist/);

    const tooMany = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: '/users?$top=1',
    }));
    await expectError(
      await f.http('/$batch', { method: 'POST', body: JSON.stringify({ requests: tooMany }) }),
      400,
      'BadRequest',
      /at most 20/,
    );
  });

  it('throttles sub-requests inside a 200 batch, with Retry-After (control endpoint)', async () => {
    const control = `${new URL(f.standIn.url).origin}/_standin/faults`;
    const set = await fetch(control, {
      method: 'PUT',
      body: JSON.stringify({ throttleRate: 1, retryAfterSeconds: 2 }),
    });
    expect(await set.json()).toEqual({ throttleRate: 1, retryAfterSeconds: 2 });
    try {
      const single = await f.http('/users?$top=1');
      expect(single.headers.get('retry-after')).toBe('2');
      await expectError(single, 429, 'TooManyRequests');
      const batch = await f.http('/$batch', {
        method: 'POST',
        body: JSON.stringify({ requests: [{ id: 'a', method: 'GET', url: '/users?$top=1' }] }),
      });
      expect(batch.status).toBe(200);
      const { responses } = (await batch.json()) as {
        responses: { status: number; headers: Record<string, string> }[];
      };
      expect(responses[0]).toMatchObject({ status: 429, headers: { 'Retry-After': '2' } });
    } finally {
      await fetch(control, { method: 'PUT', body: '{}' });
    }
    expect((await f.http('/users?$top=1')).status).toBe(200);
  });

  it('hides new objects from reference writes for the replication delay', async () => {
    f.setFaults({ replicationDelayMs: 300 });
    try {
      const created = await f.json<{ id: string }>('/users', {
        method: 'POST',
        body: JSON.stringify({
          accountEnabled: true,
          displayName: 'New Starter',
          mailNickname: 'new.starter',
          userPrincipalName: 'new.starter@pimflow.example',
        }),
      });
      const add = (): Promise<Response> =>
        f.http(`/groups/${t.group('Cloud Ops')}/members/$ref`, {
          method: 'POST',
          body: JSON.stringify({
            '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${created.id}`,
          }),
        });
      await expectError(await add(), 404, 'Request_ResourceNotFound');
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await add()).status).toBe(204);
    } finally {
      f.setFaults({});
    }
  });
});
