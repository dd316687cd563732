/**
 * PIM for Azure resources' routes, as Azure Resource Manager lays them out: `{scope}/providers/Microsoft.Authorization/
 * {collection}[/{name}[/cancel | /validate | /stages/{stage}]]` below /api, where the scope is a management group,
 * subscription, resource group or resource — or nothing (the tenant root: `/providers/Microsoft.Authorization/...`,
 * where the Azure portal lists "my roles" across all scopes). One parser for both catch-all routes
 * (functions/azure-roles.ts), with the query pieces ARM defines (`api-version`, `$filter`). Pure.
 */
import { z } from 'zod';
import { azureScopeKind } from '../../access/resource';
import type { RequestKind } from '../domain/request-body';

/** The request and schedule collections, and what each is in the core. */
export const PIM_COLLECTIONS = {
  roleAssignmentScheduleRequests: { kind: 'assignment', what: 'ScheduleRequests' },
  roleEligibilityScheduleRequests: { kind: 'eligibility', what: 'ScheduleRequests' },
  roleAssignmentSchedules: { kind: 'assignment', what: 'Schedules' },
  roleEligibilitySchedules: { kind: 'eligibility', what: 'Schedules' },
  roleAssignmentScheduleInstances: { kind: 'assignment', what: 'ScheduleInstances' },
  roleEligibilityScheduleInstances: { kind: 'eligibility', what: 'ScheduleInstances' },
} as const satisfies Record<
  string,
  { kind: RequestKind; what: 'ScheduleRequests' | 'Schedules' | 'ScheduleInstances' }
>;
export type PimCollection = keyof typeof PIM_COLLECTIONS;

export const ARM_COLLECTIONS = [
  ...(Object.keys(PIM_COLLECTIONS) as PimCollection[]),
  'roleManagementPolicies',
  'roleManagementPolicyAssignments',
  'roleDefinitions',
  'roleAssignmentApprovals',
] as const;
export type ArmCollection = (typeof ARM_COLLECTIONS)[number];

export function isPimCollection(c: ArmCollection): c is PimCollection {
  return c in PIM_COLLECTIONS;
}

/** What a path names. `scope` is as the client spelled it, '' for the tenant root. */
export interface ArmTarget {
  scope: string;
  collection: ArmCollection;
  name?: string;
  /** A POST action on one item (`cancel`, `validate`), or an approval's `stages` (with `stage`, its id). */
  action?: 'cancel' | 'validate' | 'stages';
  stage?: string;
}

/** An error as ARM answers it (`{ error: { code, message } }`) with its status. */
export interface ArmError {
  status: number;
  code: string;
  message: string;
}

export type ArmParsed<T> = { ok: true; value: T } | { ok: false; error: ArmError };

const PROVIDER = '/providers/microsoft.authorization/';

/**
 * Parses a route's path below /api (`subscriptions/{id}/providers/Microsoft.Authorization/...`, or
 * `providers/...`). The last `/providers/Microsoft.Authorization/` ends the scope (a resource's id has its own
 * `providers/` segment before it). Empty segments (`//`, a trailing `/`) are ignored, as ARM ignores them.
 */
export function parseArmPath(path: string): ArmParsed<ArmTarget> {
  const full = `/${path.split('/').filter(Boolean).join('/')}`;
  const at = `${full}/`.toLowerCase().lastIndexOf(PROVIDER);
  if (at < 0) return notFound(`No Microsoft.Authorization resource in the path '${full}'`);
  const scope = full.slice(0, at);
  if (scope !== '' && azureScopeKind(scope) === undefined)
    return invalid(
      'InvalidScope',
      `The scope '${scope}' is not valid: use '/providers/Microsoft.Management/managementGroups/{id}', '/subscriptions/{id}', '/subscriptions/{id}/resourceGroups/{name}' or a resource's id.`,
    );
  const [type, name, action, stage, ...more] = full.slice(at + PROVIDER.length).split('/');
  const collection = ARM_COLLECTIONS.find((c) => c.toLowerCase() === type?.toLowerCase());
  if (!collection)
    return notFound(
      `The resource type '${type ?? ''}' could not be found in the namespace 'Microsoft.Authorization'.`,
      'InvalidResourceType',
    );
  const target: ArmTarget = { scope, collection, ...(name ? { name } : {}) };
  if (action === undefined) return { ok: true, value: target };
  const a = action.toLowerCase();
  if (collection === 'roleAssignmentApprovals' && a === 'stages' && more.length === 0)
    return { ok: true, value: { ...target, action: 'stages', ...(stage ? { stage } : {}) } };
  if (
    (a === 'cancel' || a === 'validate') &&
    stage === undefined &&
    PIM_COLLECTIONS[collection as PimCollection]?.what === 'ScheduleRequests'
  )
    return { ok: true, value: { ...target, action: a } };
  return notFound(`No such operation: '${full}'`);
}

/** The api-versions each collection takes (the SDKs' and the Azure portal's). */
const PIM_VERSIONS = [
  '2020-10-01',
  '2020-10-01-preview',
  '2022-04-01-preview',
  '2024-02-01-preview',
  '2024-09-01-preview',
];
const API_VERSIONS: Record<ArmCollection, readonly string[]> = {
  roleAssignmentScheduleRequests: PIM_VERSIONS,
  roleEligibilityScheduleRequests: PIM_VERSIONS,
  roleAssignmentSchedules: PIM_VERSIONS,
  roleEligibilitySchedules: PIM_VERSIONS,
  roleAssignmentScheduleInstances: PIM_VERSIONS,
  roleEligibilityScheduleInstances: PIM_VERSIONS,
  roleManagementPolicies: PIM_VERSIONS,
  roleManagementPolicyAssignments: PIM_VERSIONS,
  roleDefinitions: ['2015-07-01', '2018-01-01-preview', '2022-04-01', '2022-05-01-preview'],
  roleAssignmentApprovals: ['2021-01-01-preview'],
};

/** ARM's check of `api-version`: required, and one the resource type has. */
export function checkApiVersion(collection: ArmCollection, version: string | null): ArmError | undefined {
  if (version === null || version === '')
    return {
      status: 400,
      code: 'MissingApiVersionParameter',
      message: 'The api-version query parameter (?api-version=) is required for all requests.',
    };
  const supported = API_VERSIONS[collection];
  if (supported.includes(version)) return undefined;
  return {
    status: 400,
    code: 'InvalidApiVersionParameter',
    message: `The api-version '${version}' is invalid. The supported versions for '${collection}' are '${supported.join(', ')}'.`,
  };
}

/** ARM's PIM `$filter` functions and comparisons, as far as pimflow takes them. */
export interface ArmFilter {
  asTarget?: true;
  atScope?: true;
  asApprover?: true;
  principalId?: string;
  roleDefinitionId?: string;
  status?: string;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const TERMS: [RegExp, (m: RegExpMatchArray, f: ArmFilter) => void][] = [
  [/^asTarget\(\)$/i, (_m, f) => (f.asTarget = true)],
  [/^atScope\(\)$/i, (_m, f) => (f.atScope = true)],
  [/^asApprover\(\)$/i, (_m, f) => (f.asApprover = true)],
  [new RegExp(`^principalId\\s+eq\\s+'(${GUID})'$`, 'i'), (m, f) => (f.principalId = m[1]?.toLowerCase())],
  [new RegExp(`^assignedTo\\('(${GUID})'\\)$`, 'i'), (m, f) => (f.principalId = m[1]?.toLowerCase())],
  [/^roleDefinitionId\s+eq\s+'([^']{1,400})'$/i, (m, f) => (f.roleDefinitionId = m[1])],
  [/^status\s+eq\s+'([A-Za-z]{1,40})'$/i, (m, f) => (f.status = m[1])],
];

/** Parses `$filter`: terms joined by `and` (ARM takes no `or` here). */
export function parseArmFilter(filter: string | null): ArmParsed<ArmFilter> {
  const f: ArmFilter = {};
  if (filter === null || filter.trim() === '') return { ok: true, value: f };
  for (const raw of filter.split(/\s+and\s+/i)) {
    const term = raw.trim().replace(/^\((.*)\)$/, '$1');
    const rule = TERMS.find(([re]) => re.test(term));
    if (!rule)
      return invalid(
        'UnsupportedQuery',
        `The filter '${filter}' is not supported: use asTarget(), atScope(), asApprover(), principalId eq '{id}', assignedTo('{id}'), roleDefinitionId eq '{id}' or status eq '{status}', joined by 'and'.`,
      );
    rule[1](term.match(rule[0]) as RegExpMatchArray, f);
  }
  return { ok: true, value: f };
}

const ROLE_DEFINITION = new RegExp(
  `^(.*)/providers/Microsoft\\.Authorization/roleDefinitions/(${GUID})$`,
  'i',
);

/**
 * A role definition's id as ARM writes it — `/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/
 * {guid}` (any subscription: a built-in role's GUID is the same everywhere), the management group or tenant-level
 * form `/providers/Microsoft.Authorization/roleDefinitions/{guid}` — to its GUID, lower case (as the core stores it).
 */
export function roleDefinitionGuid(id: string): string | undefined {
  const m = ROLE_DEFINITION.exec(id);
  if (!m) return undefined;
  const [, scope = '', guid = ''] = m;
  if (scope !== '' && azureScopeKind(scope) === undefined) return undefined;
  return guid.toLowerCase();
}

/** The role definition's id as ARM shows it at a scope: the subscription's form within one, else tenant-level. */
export function roleDefinitionArmId(scope: string, guid: string): string {
  const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '';
  return `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

export const roleDefinitionIdSchema = z
  .string()
  .max(1024)
  .transform((id, ctx) => {
    const guid = roleDefinitionGuid(id);
    if (guid) return guid;
    ctx.addIssue({
      code: 'custom',
      message:
        "must be a role definition's id: '/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{guid}' or '/providers/Microsoft.Authorization/roleDefinitions/{guid}'",
    });
    return z.NEVER;
  });

/** The last segment of an ARM id, or the value itself (ARM takes a schedule's GUID or its full id). */
export function lastSegment(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id;
}

function invalid(code: string, message: string): { ok: false; error: ArmError } {
  return { ok: false, error: { status: 400, code, message } };
}

function notFound(message: string, code = 'NotFound'): { ok: false; error: ArmError } {
  return { ok: false, error: { status: 404, code, message } };
}
