/**
 * Graph's error shape through the HTTP API: on Graph-shaped routes (groups' and roles' requests, policies, access
 * reviews, role definitions) an error is `{ error: { code, message, details?, innerError } }` as application/json,
 * with `request-id` and the client's `client-request-id` echoed; pimflow's own routes (managedGroups, me, health)
 * keep problem+json. The rule is shared/http/graph-error.ts.
 */
import { Client, GraphError as SdkGraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from '../pim/pim-scenario';

const GROUP = DEMO.helpdeskGroup;
const UNKNOWN = '0b3f8c6e-5d2a-4e71-9c0d-7a1b2c3d4e5f';
const DEFINITIONS = 'identityGovernance/accessReviews/definitions';
const ROLES = 'roleManagement/directory';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

interface GraphError {
  error: {
    code: string;
    message: string;
    details?: { code: string; message: string; target: string }[];
    innerError: { date: string; 'request-id': string; 'client-request-id': string; [more: string]: unknown };
  };
}

/** Graph's error, checked member by member; returns the body for the call's own checks. */
async function graphError(res: Response, status: number, code: string): Promise<GraphError> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as GraphError;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
  const inner = body.error.innerError;
  expect(inner.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(inner['request-id']).toMatch(GUID);
  expect(res.headers.get('request-id')).toBe(inner['request-id']);
  expect(res.headers.get('client-request-id')).toBe(inner['client-request-id']);
  return body;
}

const assign = (o: Record<string, unknown> = {}) => ({
  action: 'adminAssign',
  accessId: 'member',
  groupId: GROUP,
  principalId: DEMO.admin,
  justification: 'Rota',
  scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
  ...o,
});

describe("Graph-shaped routes answer Graph's error", () => {
  it('400 with a detail per field, nothing else of problem+json', async () => {
    const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...ADMIN,
      body: assign({ action: 'sideways' }),
    });
    const body = await graphError(res, 400, 'BadRequest');
    expect(body.error.message).toMatch(/^Invalid body: body\.action/);
    expect(body.error.details?.map((d) => d.target)).toEqual(['body.action']);
    for (const d of body.error.details ?? []) {
      expect(d.code).toBe('BadRequest');
      expect(body.error.message).toContain(d.message);
    }
    expect(body.error).not.toHaveProperty('detail');
    expect(body.error.innerError).not.toHaveProperty('status');
  });

  it('401 with the Bearer challenge kept, on groups and roles', async () => {
    for (const path of [`${BASE}/assignmentScheduleRequests`, `${ROLES}/roleAssignmentScheduleRequests`]) {
      const res = await app.api(path, { headers: { authorization: 'Bearer nonsense' } });
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Bearer/);
      await graphError(res, 401, 'InvalidAuthenticationToken');
    }
  });

  it('403 for a user reading what is not theirs; extensions go into innerError', async () => {
    const res = await app.api(`${BASE}/assignmentScheduleRequests`, { as: 'grace.okafor@pimflow.example' });
    const body = await graphError(res, 403, 'Forbidden');
    expect(body.error.message).toMatch(/filterByCurrentUser/);
    const create = await app.api(DEFINITIONS, { as: 'grace.okafor@pimflow.example', body: {} });
    await graphError(create, 403, 'Forbidden');
  });

  it('404 on requests, policies and reviews; Request_ResourceNotFound for a directory object', async () => {
    for (const path of [
      `${BASE}/assignmentScheduleRequests/${UNKNOWN}`,
      `${ROLES}/roleEligibilityScheduleRequests/${UNKNOWN}`,
      `policies/roleManagementPolicies/${UNKNOWN}`,
      `${DEFINITIONS}/${UNKNOWN}`,
    ]) {
      await graphError(await app.api(path, ADMIN), 404, 'NotFound');
    }
    const role = await graphError(
      await app.api(`${ROLES}/roleDefinitions/${UNKNOWN}`, ADMIN),
      404,
      'Request_ResourceNotFound',
    );
    expect(role.error.message).toMatch(/No role definition/);
  });

  it('409 when canceling a request that has finished', async () => {
    const created = await app.api(`${BASE}/eligibilityScheduleRequests`, { ...ADMIN, body: assign() });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await app.rt.waitForIdle();
    const res = await app.api(`${BASE}/eligibilityScheduleRequests/${id}/cancel`, {
      ...ADMIN,
      method: 'POST',
    });
    const body = await graphError(res, 409, 'Conflict');
    expect(body.error.message).toMatch(/only a request that hasn't started can be canceled/);
  });

  it("echoes the client's client-request-id, and makes one up when none (or no id) is sent", async () => {
    const clientRequestId = '7c1e1a54-3b5f-4e0a-9d0e-2f6b8a9c0d1e';
    const echoed = await graphError(
      await app.api(`${BASE}/assignmentSchedules`, { headers: { 'client-request-id': clientRequestId } }),
      401,
      'InvalidAuthenticationToken',
    );
    expect(echoed.error.innerError['client-request-id']).toBe(clientRequestId);
    const own = await graphError(
      await app.api(`${BASE}/assignmentSchedules`),
      401,
      'InvalidAuthenticationToken',
    );
    expect(own.error.innerError['client-request-id']).toBe(own.error.innerError['request-id']);
    const second = await graphError(
      await app.api(`${BASE}/assignmentSchedules`),
      401,
      'InvalidAuthenticationToken',
    );
    expect(second.error.innerError['request-id']).not.toBe(own.error.innerError['request-id']);
  });

  it('413 from the edge check, before the function runs, is Graph-shaped too', async () => {
    const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...ADMIN,
      body: JSON.stringify({ justification: 'x'.repeat(1024 * 1024 + 1) }),
    });
    const body = await graphError(res, 413, 'RequestEntityTooLarge');
    expect(body.error.innerError.limitBytes).toBe(1024 * 1024);
  });
});

describe("Graph's SDK", () => {
  it('reads the error into GraphError: status, code, message, request id', async () => {
    // No token: the SDK sends none to a host it doesn't know; the API answers 401 in Graph's shape.
    const sdk = Client.init({
      baseUrl: app.rt.urls.api,
      defaultVersion: '',
      authProvider: (done) => done(null, ''),
    });
    const err = await sdk
      .api(`/${BASE}/assignmentScheduleRequests/${UNKNOWN}`)
      .get()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(SdkGraphError);
    const e = err as SdkGraphError;
    expect(e.statusCode).toBe(401);
    expect(e.code).toBe('InvalidAuthenticationToken');
    expect(e.message.length).toBeGreaterThan(5);
    expect(e.requestId).toMatch(GUID);
  });
});

describe("pimflow's own routes keep problem+json", () => {
  it.each([
    ['managedGroups', { ...ADMIN, body: { groupId: 'nope' } }, 400],
    [`managedGroups/${UNKNOWN}`, ADMIN, 404],
    ['me', {}, 401],
  ] as const)('%s', async (path, call, status) => {
    const res = await app.api(path, call);
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(text) as { status: number; detail: string };
    expect(body.status).toBe(status);
    expect(body.detail.length).toBeGreaterThan(5);
    expect(res.headers.get('request-id')).toBeNull();
  });

  it('health answers as before', async () => {
    const res = await app.api('health');
    expect(res.headers.get('content-type')).not.toMatch(/problem/);
  });
});
