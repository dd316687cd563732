/**
 * ARM's replication delay for a new principal is real time, also under a test's virtual clock (which stands
 * still): the adapter's retries of PrincipalNotFound end once 5 real seconds have passed, without the clock moving.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAzureCredential } from '../../shared/auth/azure-credential';
import { createArmRbac } from '../../shared/azure/arm-rbac';
import { loadSettings } from '../../shared/config';
import { startPimApp, type PimApp } from '../pim-harness';
import { ARM } from './arm-fixture';

let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
});

afterAll(async () => {
  await app?.stop();
});

it('assigns a role to a principal created just now once ARM has seen it for 5 real seconds', async () => {
  const settings = loadSettings({ ...app.dev.settingsFor(app.rt.urls.origin), PIMFLOW_TASK_HUB: 'ArmClock' });
  const credential = createAzureCredential(settings);
  const graphToken =
    (await credential.getToken(`${new URL(app.dev.graph.url).origin}/.default`))?.token ?? '';
  const created = await fetch(`${app.dev.graph.url}/users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${graphToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      accountEnabled: true,
      displayName: 'Clock Newcomer',
      mailNickname: 'clock.newcomer',
      userPrincipalName: 'clock.newcomer@pimflow.example',
      passwordProfile: { password: 'Not-used-1!' },
    }),
  });
  expect(created.status).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  const rbac = createArmRbac({
    endpoint: settings.ARM_ENDPOINT,
    audience: settings.ARM_AUDIENCE,
    credential,
    principalNotFoundFirstDelayMs: 500,
  });
  const before = Date.now(); // the virtual clock: it doesn't move by itself
  const started = performance.now();
  expect(
    await rbac.createRoleAssignment({
      scope: ARM.sandboxRg,
      roleDefinitionId: ARM.roles.reader,
      principalId: id,
      principalType: 'User',
    }),
  ).toBe('changed');
  expect(performance.now() - started).toBeGreaterThanOrEqual(4500);
  expect(Date.now()).toBe(before);
  expect(app.azureAssignments(ARM.sandboxRg).map((a) => a.principalId)).toContain(id);
});
