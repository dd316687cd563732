import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';

let app: PimApp;
beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
});
afterAll(async () => {
  await app?.stop();
});

it('runs the product app in-process with its stand-ins and a virtual clock', async () => {
  const me = await app.json<{ id: string }>('me', { as: DEMO.adminUpn });
  expect(me.id).toBe(DEMO.admin);
  expect(app.groupMembers(DEMO.helpdeskGroup, 'owners').length).toBeGreaterThan(0);
  expect(app.rt.clock.now().toISOString()).toBe('2026-03-02T09:00:00.000Z');
});
