/**
 * Runs the product app in-process on the local runtime (optionally on a virtual clock) with its stand-ins, for
 * tests that go through the HTTP API the way users do, and read real outcomes: membership in the Graph stand-in,
 * mail in the mailbox, rows in Cosmos (through the API), audit records.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiClient, findDemoUser, type ApiCall } from '../local/api-client';
import { startDevEnvironment, type DevEnvironment } from '../local/dev-environment';
import type { LocalRuntime } from '../local/runtime';
import type { ArmRoleAssignment } from '../local/standins/arm/arm-tenant';
import { createAppServices, type AppServices } from '../shared/composition-root';
import { loadSettings } from '../shared/config';
import { startTestRuntime, testTls, uniqueHub } from './helpers';

export const ROOT = path.resolve(__dirname, '..');
export const DEMO = {
  tenantId: '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
  admin: 'c1aa92a1-3b8e-47a9-b756-6f6490a3d1ed',
  adminUpn: 'admin@pimflow.example',
  helpdeskGroup: 'e3d4b516-8621-440b-a7a2-58d0c8c710af',
};

export type { ApiCall } from '../local/api-client';

export interface PimApp {
  rt: LocalRuntime;
  dev: DevEnvironment;
  /** The API's base URL over HTTPS (`https://localhost:<port>/api`, the local CA's certificate), for Graph's SDKs. */
  apiHttps: string;
  /** Calls the API (path below /api). */
  api(pathAndQuery: string, call?: ApiCall): Promise<Response>;
  /** Like api(), but expects 2xx and returns the JSON body. */
  json<T = unknown>(pathAndQuery: string, call?: ApiCall): Promise<T>;
  token(call: ApiCall & { as: string }): Promise<string>;
  /**
   * The app's services built from source (`createAppServices`) with the app's own settings, over the same
   * stand-ins: to seed or read what the API doesn't show. Built once per app.
   */
  services(): Promise<AppServices>;
  mailTo(
    address: string,
  ): Promise<{ id: string; subject: string; html: string; text: string; to: string[] }[]>;
  /** Member (or owner) ids of a group, read straight from the Graph stand-in. */
  groupMembers(groupId: string, relation?: 'members' | 'owners'): string[];
  /**
   * Role assignments made at exactly `scope` (compared ignoring case; every one when omitted), read straight from
   * the ARM stand-in's state: `roleDefinitionId` is the role's GUID, `scope` ARM's spelling.
   */
  azureAssignments(scope?: string): ArmRoleAssignment[];
  /** Looks a demo user up by UPN prefix (e.g. 'olivia.carter'). */
  user(upnOrPrefix: string): { id: string; userPrincipalName: string; displayName: string };
  stop(): Promise<void>;
}

/**
 * `reconcileSchedule`: the reconciler's NCRONTAB. Daily by default: a virtual clock walks through every occurrence
 * on its way, and tests that jump weeks would run the 5-minute reconciler thousands of times for nothing; tests of
 * the reconciler ask for every 5 minutes (as `npm start` and Azure run it). `armPrincipalReplicationMs`: how long
 * (real time) the ARM stand-in answers PrincipalNotFound for a principal just created (default 5 s; 0: never).
 */
export async function startPimApp(
  options: { virtualClock?: Date; reconcileSchedule?: string; armPrincipalReplicationMs?: number } = {},
): Promise<PimApp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-pim-'));
  const tls = testTls();
  const dev = await startDevEnvironment({
    dir,
    tls,
    ports: { cosmos: 0, graph: 0, mail: 0, identity: 0, arm: 0 },
    armPrincipalReplicationMs: options.armPrincipalReplicationMs,
  });
  const hub = uniqueHub('Pim');
  const settingsFor = (origin: string, httpsOrigin?: string) => ({
    ...dev.settingsFor(origin, httpsOrigin),
    PIMFLOW_TASK_HUB: hub,
    RECONCILE_SCHEDULE: options.reconcileSchedule ?? '0 0 3 * * *',
  });
  const rt = await startTestRuntime('', {
    appDir: ROOT,
    hubName: hub,
    settings: { PIMFLOW_TASK_HUB: hub },
    settingsFor,
    virtualClock: options.virtualClock,
    https: { key: tls.key, cert: tls.cert, port: 0 },
  }).catch(async (err: unknown) => {
    await dev.close();
    throw err;
  });

  const client = createApiClient({
    apiBase: () => rt.urls.api,
    token: async (call) =>
      dev.identity.issueUserToken({ user: call.as, roles: call.roles, amr: call.amr, acrs: call.acrs }),
  });
  // The app's clock is the process' Date, which the runtime's virtual clock (if any) has replaced.
  let services: Promise<AppServices> | undefined;
  const apiHttps = rt.urls.apiHttps;
  if (!apiHttps) throw new Error('The runtime serves no HTTPS');
  return {
    rt,
    dev,
    apiHttps,
    api: client.api,
    json: client.json,
    token: client.token,
    services() {
      services ??= createAppServices(loadSettings(settingsFor(rt.urls.origin)));
      return services;
    },
    async mailTo(address: string) {
      const res = await fetch(`${dev.mail.mailboxUrl}/messages?to=${encodeURIComponent(address)}`);
      return (await res.json()) as {
        id: string;
        subject: string;
        html: string;
        text: string;
        to: string[];
      }[];
    },
    groupMembers(groupId: string, relation: 'members' | 'owners' = 'members') {
      const group = dev.graph.state.group(groupId);
      if (!group) throw new Error(`No group ${groupId} in the stand-in`);
      return [...(relation === 'members' ? group.members : group.owners)];
    },
    azureAssignments: (scope) =>
      dev.arm
        .state()
        .roleAssignments.filter(
          (a) => scope === undefined || a.scope.toLowerCase() === scope.replace(/\/+$/, '').toLowerCase(),
        )
        .map((a) => ({ ...a })),
    user: (upnOrPrefix) => findDemoUser(dev.graph.state.users(), upnOrPrefix),
    async stop() {
      await rt.stop();
      await dev.close();
    },
  };
}
