/**
 * The Graph stand-in's directory: users, groups (with their direct members and owners) and service principals,
 * as kept in its data file. Seeds describe times relative to "now" (e.g. `lastSignInDaysAgo`) so a demo tenant
 * stays realistic whenever it is first loaded; the data file holds absolute times, as Graph answers them.
 */
import { z } from 'zod';

const id = z.guid();
const nullableString = z.string().nullable().default(null);

const signInActivity = z.object({
  lastSignInDateTime: z.string().nullable(),
  lastNonInteractiveSignInDateTime: z.string().nullable(),
  lastSuccessfulSignInDateTime: z.string().nullable(),
});

const userFields = {
  id,
  userPrincipalName: z.string().min(3),
  displayName: z.string().min(1),
  givenName: nullableString,
  surname: nullableString,
  mail: nullableString,
  jobTitle: nullableString,
  department: nullableString,
  officeLocation: nullableString,
  accountEnabled: z.boolean().default(true),
  managerId: id.nullable().default(null),
};

const groupFields = {
  id,
  displayName: z.string().min(1),
  description: nullableString,
  mailNickname: z.string().min(1),
  mail: nullableString,
  mailEnabled: z.boolean().default(false),
  securityEnabled: z.boolean().default(true),
  groupTypes: z.array(z.string()).default([]),
  isAssignableToRole: z.boolean().default(false),
  visibility: nullableString,
  members: z.array(id).default([]),
  owners: z.array(id).default([]),
};

const servicePrincipalFields = {
  id,
  appId: id,
  displayName: z.string().min(1),
  servicePrincipalType: z.string().default('Application'),
  accountEnabled: z.boolean().default(true),
};

const created = { createdDateTime: z.string() };

export const tenantDataSchema = z.object({
  users: z.array(z.object({ ...userFields, ...created, signInActivity })),
  groups: z.array(z.object({ ...groupFields, ...created })),
  servicePrincipals: z.array(z.object({ ...servicePrincipalFields, ...created })),
});

const daysAgo = z.number().nonnegative();
export const tenantSeedSchema = z.object({
  users: z.array(
    z.object({
      ...userFields,
      createdDaysAgo: daysAgo.default(365),
      /** null: never signed in. */
      lastSignInDaysAgo: daysAgo.nullable().default(null),
      lastNonInteractiveSignInDaysAgo: daysAgo.nullable().default(null),
    }),
  ),
  groups: z.array(z.object({ ...groupFields, createdDaysAgo: daysAgo.default(365) })),
  servicePrincipals: z.array(z.object({ ...servicePrincipalFields, createdDaysAgo: daysAgo.default(365) })),
});

export type TenantData = z.infer<typeof tenantDataSchema>;
export type TenantSeed = z.input<typeof tenantSeedSchema>;
export type TenantUser = TenantData['users'][number];
export type TenantGroup = TenantData['groups'][number];
export type TenantServicePrincipal = TenantData['servicePrincipals'][number];

const DAY_MS = 24 * 3600_000;

/** Turns a seed's relative times into absolute ones, as of `now`. */
export function materializeSeed(seed: unknown, now: Date): TenantData {
  const s = tenantSeedSchema.parse(seed);
  const at = (days: number | null): string | null =>
    days === null ? null : new Date(now.getTime() - days * DAY_MS).toISOString();
  const data: TenantData = {
    users: s.users.map(({ createdDaysAgo, lastSignInDaysAgo, lastNonInteractiveSignInDaysAgo, ...u }) => ({
      ...u,
      createdDateTime: at(createdDaysAgo) ?? '',
      signInActivity: {
        lastSignInDateTime: at(lastSignInDaysAgo),
        lastNonInteractiveSignInDateTime: at(lastNonInteractiveSignInDaysAgo),
        // Interactive sign-ins include failed ones; the seed's are all successful.
        lastSuccessfulSignInDateTime: latest(at(lastSignInDaysAgo), at(lastNonInteractiveSignInDaysAgo)),
      },
    })),
    groups: s.groups.map(({ createdDaysAgo, ...g }) => ({ ...g, createdDateTime: at(createdDaysAgo) ?? '' })),
    servicePrincipals: s.servicePrincipals.map(({ createdDaysAgo, ...p }) => ({
      ...p,
      createdDateTime: at(createdDaysAgo) ?? '',
    })),
  };
  checkReferences(data);
  return data;
}

export function parseTenantData(json: unknown): TenantData {
  const data = tenantDataSchema.parse(json);
  checkReferences(data);
  return data;
}

/** Every manager, member and owner must exist, so a typo in a seed fails at start, not in a test. */
function checkReferences(data: TenantData): void {
  const ids = new Set<string>();
  for (const o of [...data.users, ...data.groups, ...data.servicePrincipals]) {
    const key = o.id.toLowerCase();
    if (ids.has(key)) throw new Error(`Tenant data: duplicate object id ${o.id}`);
    ids.add(key);
  }
  const missing = (ref: string, where: string): void => {
    if (!ids.has(ref.toLowerCase())) throw new Error(`Tenant data: ${where} refers to unknown object ${ref}`);
  };
  for (const u of data.users) if (u.managerId) missing(u.managerId, `manager of ${u.userPrincipalName}`);
  for (const g of data.groups) {
    for (const m of g.members) missing(m, `member of ${g.displayName}`);
    for (const o of g.owners) missing(o, `owner of ${g.displayName}`);
  }
}

function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
