/** A Graph stand-in per test file (temp data file, token `test-token`), and helpers to talk to it over HTTP. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { DEMO_TENANT_FILE } from '../../local/standins/graph/demo-tenant';
import {
  startGraphStandIn,
  type GraphFaults,
  type GraphStandIn,
} from '../../local/standins/graph/graph-stand-in';
import type { TenantSeed } from '../../local/standins/graph/tenant-data';
import { createGraphDirectory, type GraphDirectoryOptions } from '../../shared/directory/graph-directory';
import { testTls } from '../helpers';

export const TOKEN = 'test-token';

export interface GraphFixture {
  standIn: GraphStandIn;
  dir: string;
  dataFile: string;
  seedFile: string;
  /** Authorization headers the stand-in has seen, in order (undefined: none sent). */
  authorizations: (string | undefined)[];
  /** A raw HTTPS request to the stand-in, with the test token unless `token` says otherwise. */
  http(pathAndQuery: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  json<T = Record<string, unknown>>(pathAndQuery: string, init?: RequestInit): Promise<T>;
  /** Ids in a group's members or owners, read over HTTP (all pages). */
  ids(groupId: string, relation: 'members' | 'owners'): Promise<string[]>;
  directory(options?: Partial<GraphDirectoryOptions>): ReturnType<typeof createGraphDirectory>;
  setFaults(faults: GraphFaults): void;
  close(): Promise<void>;
}

export async function startGraphFixture(
  o: { seed?: TenantSeed; dir?: string; faults?: GraphFaults } = {},
): Promise<GraphFixture> {
  const dir = o.dir ?? mkdtempSync(path.join(os.tmpdir(), 'pimflow-graph-'));
  const dataFile = path.join(dir, 'graph.json');
  let seedFile = DEMO_TENANT_FILE;
  if (o.seed) {
    seedFile = path.join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(o.seed));
  }
  const authorizations: (string | undefined)[] = [];
  const standIn = await startGraphStandIn({
    tls: testTls(),
    dataFile,
    seedFile,
    faults: o.faults,
    checkToken: async (header) => {
      authorizations.push(header);
      return header === `Bearer ${TOKEN}`;
    },
  });
  const http = (p: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> => {
    const { token = TOKEN, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== null) headers.set('Authorization', `Bearer ${token}`);
    if (rest.body !== undefined) headers.set('Content-Type', 'application/json');
    const url = p.startsWith('https://') ? p : `${standIn.url}${p}`;
    return fetch(url, { ...rest, headers });
  };
  const json = async <T>(p: string, init?: RequestInit): Promise<T> => {
    const res = await http(p, init);
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    standIn,
    dir,
    dataFile,
    seedFile,
    authorizations,
    http,
    json,
    ids: async (groupId, relation) => {
      const ids: string[] = [];
      let next: string | undefined = `/groups/${groupId}/${relation}?$select=id&$top=999`;
      while (next) {
        const page: { value: { id: string }[]; '@odata.nextLink'?: string } = await json(next);
        ids.push(...page.value.map((v) => v.id));
        next = page['@odata.nextLink'];
      }
      return ids;
    },
    directory: (options = {}) =>
      createGraphDirectory({
        baseUrl: standIn.url,
        credential: staticCredential(),
        sleep: fastSleep().sleep,
        ...options,
      }),
    setFaults: (faults) => standIn.setFaults(faults),
    close: async () => {
      await standIn.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A credential that always returns the same token, recording the scopes it was asked for. */
export function staticCredential(token = TOKEN, scopes: string[] = []): TokenCredential {
  return {
    getToken: async (s) => {
      scopes.push(...[s].flat());
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

/** A sleep that records what it was asked to wait and waits only a moment. */
export function fastSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
  };
}

export interface DemoTenant {
  user(upnPrefix: string): string;
  group(displayName: string): string;
  servicePrincipal(displayName: string): string;
}

/** Ids in the real demo tenant, looked up by name so tests read as names. */
export function demoTenant(): DemoTenant {
  const seed = JSON.parse(readFileSync(DEMO_TENANT_FILE, 'utf8')) as {
    users: { id: string; userPrincipalName: string }[];
    groups: { id: string; displayName: string }[];
    servicePrincipals: { id: string; displayName: string }[];
  };
  const find = <T extends { id: string }>(list: T[], match: (t: T) => boolean, what: string): string => {
    const found = list.find(match);
    if (!found) throw new Error(`demo tenant has no ${what}`);
    return found.id;
  };
  return {
    user: (p) => find(seed.users, (u) => u.userPrincipalName === `${p}@pimflow.example`, p),
    group: (n) => find(seed.groups, (g) => g.displayName === n, n),
    servicePrincipal: (n) => find(seed.servicePrincipals, (s) => s.displayName === n, n),
  };
}

/** A GUID for the n-th generated object, stable across runs. */
export function generatedId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A tenant with `userCount` generated users, a group holding `bigGroupSize` of them, and an empty group. */
export function largeTenantSeed(userCount: number, bigGroupSize: number): TenantSeed {
  const users = Array.from({ length: userCount }, (_, i) => ({
    id: generatedId(i + 1),
    userPrincipalName: `user${i + 1}@pimflow.example`,
    displayName: `Generated User ${String(i + 1).padStart(4, '0')}`,
    lastSignInDaysAgo: i % 10,
  }));
  const owner = generatedId(1);
  return {
    users,
    groups: [
      {
        id: generatedId(900_001),
        displayName: 'Big Group',
        mailNickname: 'BigGroup',
        owners: [owner],
        members: users.slice(0, bigGroupSize).map((u) => u.id),
      },
      { id: generatedId(900_002), displayName: 'Storm Group', mailNickname: 'StormGroup', owners: [owner] },
    ],
    servicePrincipals: [],
  };
}
