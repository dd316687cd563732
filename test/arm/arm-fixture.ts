/**
 * The local outside world with the ARM stand-in (startDevEnvironment, no runtime): the app's own credential as
 * the app builds it, the ARM adapter over it, tokens for demo users with ARM's audience, and raw HTTPS calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARM_AUDIENCE, startDevEnvironment, type DevEnvironment } from '../../local/dev-environment';
import { createAzureCredential } from '../../shared/auth/azure-credential';
import { createArmRbac, type ArmRbacOptions } from '../../shared/azure/arm-rbac';
import { loadSettings, type Settings } from '../../shared/config';
import { testTls } from '../helpers';

export const ARM = {
  tenantId: '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
  root: '/providers/Microsoft.Management/managementGroups/7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
  platform: '/providers/Microsoft.Management/managementGroups/pimflow-platform',
  production: '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10',
  development: '/subscriptions/2c5f7d3b-8e4a-4f9c-8b12-6d3e9f8a7b21',
  financeRg: '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10/resourceGroups/finance-rg',
  webRg: '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10/resourceGroups/web-rg',
  sandboxRg: '/subscriptions/2c5f7d3b-8e4a-4f9c-8b12-6d3e9f8a7b21/resourceGroups/sandbox-rg',
  keyVault:
    '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10/resourceGroups/finance-rg/providers/Microsoft.KeyVault/vaults/kv-finance',
  storage:
    '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10/resourceGroups/web-rg/providers/Microsoft.Storage/storageAccounts/stwebcontent',
  roles: {
    owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    rbacAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
    keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
    keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
    storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  },
  /** The app's identity, the pimflow-automation service principal. */
  app: 'd2707948-f36a-4e93-94bd-e132e296f7e0',
  admin: 'c1aa92a1-3b8e-47a9-b756-6f6490a3d1ed',
  helpdesk: 'e3d4b516-8621-440b-a7a2-58d0c8c710af',
  cloudOps: 'ebaa089b-edbe-45ee-acf0-778162edf39e',
  sreOnCall: 'da21b0b8-a527-4b3f-a29b-9d7ddf61cb44',
} as const;

export interface ArmWorld {
  dev: DevEnvironment;
  dir: string;
  settings: Settings;
  rbac(options?: Partial<ArmRbacOptions>): ReturnType<typeof createArmRbac>;
  /** The app's own token for ARM, as the app's credential gets it (client credentials). */
  appToken(): Promise<string>;
  /** A demo user's token for ARM (audience `https://management.azure.com/`). */
  userToken(user: string): Promise<string>;
  /** A raw HTTPS call to the ARM stand-in with `token` (none when null). */
  http(pathAndQuery: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  /** Creates a user in the Graph stand-in through Graph's API; its id. */
  createUser(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startArmWorld(
  o: { dir?: string; principalReplicationMs?: number; pageSize?: number } = {},
): Promise<ArmWorld> {
  const dir = o.dir ?? mkdtempSync(path.join(os.tmpdir(), 'pimflow-arm-'));
  const dev = await startDevEnvironment({
    dir,
    tls: testTls(),
    ports: { cosmos: 0, graph: 0, mail: 0, identity: 0, arm: 0 },
    armPrincipalReplicationMs: o.principalReplicationMs,
    armPageSize: o.pageSize,
  });
  const settings = loadSettings({ ...dev.settingsFor('http://127.0.0.1:1'), PIMFLOW_TASK_HUB: 'ArmTests' });
  const credential = createAzureCredential(settings);
  const appGraphToken = async () =>
    (await credential.getToken(`${new URL(dev.graph.url).origin}/.default`))?.token ?? '';
  return {
    dev,
    dir,
    settings,
    rbac: (options = {}) =>
      createArmRbac({
        endpoint: settings.ARM_ENDPOINT,
        audience: settings.ARM_AUDIENCE,
        credential,
        ...options,
      }),
    appToken: async () => (await credential.getToken(`${ARM_AUDIENCE}.default`))?.token ?? '',
    userToken: (user) => dev.identity.issueUserToken({ user, audience: ARM_AUDIENCE }),
    http: async (p, init = {}) => {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer =
        token === undefined ? (await credential.getToken(`${ARM_AUDIENCE}.default`))?.token : token;
      if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
      if (rest.body !== undefined) headers.set('Content-Type', 'application/json');
      return fetch(p.startsWith('https://') ? p : `${dev.arm.url}${p}`, { ...rest, headers });
    },
    createUser: async (name) => {
      const res = await fetch(`${dev.graph.url}/users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await appGraphToken()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          accountEnabled: true,
          displayName: name,
          mailNickname: name,
          userPrincipalName: `${name}@pimflow.example`,
          passwordProfile: { password: 'Not-used-1!' },
        }),
      });
      if (res.status !== 201) throw new Error(`POST /users: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    close: async () => {
      await dev.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
