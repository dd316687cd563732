/** What the role-settings routes read from a request: the scope `$filter`, `$expand` of assignments, a rule body. */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { MAX_ID_LENGTH, overlongIdIn } from '../../http/edge';
import { readLimitedBody } from '../../http/json-body';
import { ODataError, parseFilter, type FilterClause } from '../../http/odata';
import { problem } from '../../http/problem';
import type { GroupRole } from '../../managed-groups/domain/managed-group';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whose policies a `$filter` asks for: a group's (one role of it), or the directory roles' (one of them). */
export type PolicyScopeFilter =
  | { scopeType: 'Group'; groupId: string; role?: GroupRole }
  | { scopeType: 'DirectoryRole'; roleDefinitionId?: string };

/**
 * Graph's `scopeId eq '{groupId}' and scopeType eq 'Group'` or `scopeId eq '/' and scopeType eq 'DirectoryRole'`
 * (plus, for assignments, `roleDefinitionId`).
 */
export function scopeFilter(request: HttpRequest, withRole: boolean): PolicyScopeFilter {
  const clauses = parseFilter(request.query.get('$filter'));
  const allowed = withRole ? ['scopeId', 'scopeType', 'roleDefinitionId'] : ['scopeId', 'scopeType'];
  const byField = new Map<string, FilterClause>();
  for (const c of clauses) {
    if (!allowed.includes(c.field) || c.op !== 'eq' || !c.quoted) {
      throw new ODataError(
        `$filter supports ${allowed.map((f) => `${f} eq '...'`).join(', ')}; not "${c.field} ${c.op}"`,
      );
    }
    if (byField.has(c.field)) throw new ODataError(`$filter names ${c.field} twice`);
    byField.set(c.field, c);
  }
  const scopeId = byField.get('scopeId')?.value;
  const scopeType = byField.get('scopeType')?.value;
  if (!scopeId || !scopeType) {
    throw new ODataError(
      "Give $filter=scopeId eq '{groupId}' and scopeType eq 'Group', or scopeId eq '/' and scopeType eq 'DirectoryRole'",
    );
  }
  const role = byField.get('roleDefinitionId')?.value;
  if (scopeType === 'DirectoryRole') return directoryRoleFilter(scopeId, role);
  if (scopeType !== 'Group') {
    throw new ODataError(
      `scopeType must be 'Group' or 'DirectoryRole' (pimflow manages groups and Microsoft Entra roles)`,
    );
  }
  if (!GUID.test(scopeId)) throw new ODataError(`scopeId must be a group's object id (a GUID)`);
  if (role !== undefined && role !== 'member' && role !== 'owner') {
    throw new ODataError(`roleDefinitionId must be 'member' or 'owner'`);
  }
  return { scopeType: 'Group', groupId: scopeId.toLowerCase(), ...(role !== undefined && { role }) };
}

function directoryRoleFilter(scopeId: string, role: string | undefined): PolicyScopeFilter {
  if (scopeId !== '/') {
    throw new ODataError(
      "For scopeType 'DirectoryRole' scopeId is '/': a role's policy applies at every scope, administrative units included",
    );
  }
  if (role !== undefined && !GUID.test(role)) {
    throw new ODataError(`roleDefinitionId must be a directory role definition's id (a GUID)`);
  }
  return { scopeType: 'DirectoryRole', ...(role !== undefined && { roleDefinitionId: role.toLowerCase() }) };
}

const ASSIGNMENT_ID = /^(Group_([0-9a-f-]{36})_[0-9a-f-]{36})_(member|owner)$/i;
/** The form pimflow answered before it followed Graph (`Group_{groupId}_{policyId}_{role}`): still resolves. */
const OLD_ASSIGNMENT_ID = /^Group_([0-9a-f-]{36})_(Group_([0-9a-f-]{36})_[0-9a-f-]{36})_(member|owner)$/i;
const G = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const DIRECTORY_ROLE_ASSIGNMENT_ID = new RegExp(`^(DirectoryRole_${G}_${G})_(${G})$`);

/** What a policy assignment id names. */
export type AssignmentIdParts =
  | { scopeType: 'Group'; groupId: string; policyId: string; role: string }
  | { scopeType: 'DirectoryRole'; policyId: string; role: string };

/**
 * `{policyId}_{role}` (a group's policy id is `Group_{groupId}_{guid}`, a directory role's
 * `DirectoryRole_{tenantId}_{guid}`), or the older `Group_{groupId}_{policyId}_{role}`; undefined when the id is
 * none of these.
 */
export function parseAssignmentId(id: string): AssignmentIdParts | undefined {
  const role = DIRECTORY_ROLE_ASSIGNMENT_ID.exec(id);
  if (role) {
    return {
      scopeType: 'DirectoryRole',
      policyId: role[1] as string,
      role: (role[2] as string).toLowerCase(),
    };
  }
  const current = ASSIGNMENT_ID.exec(id);
  const old = OLD_ASSIGNMENT_ID.exec(id);
  const [policyId, groupId, groupRole] = current
    ? [current[1], current[2], current[3]]
    : old && old[1]?.toLowerCase() === old[3]?.toLowerCase()
      ? [old[2], old[1], old[4]]
      : [];
  if (!policyId || !groupId || !groupRole || !GUID.test(groupId)) return undefined;
  return { scopeType: 'Group', groupId: groupId.toLowerCase(), policyId, role: groupRole.toLowerCase() };
}

/** The rule a PATCH sends: JSON (any shape; the rule checks it), no id longer than any id is. */
export async function readRuleBody(
  request: HttpRequest,
): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const body = await readLimitedBody(request);
  if (!body.ok) return body;
  const text = body.value;
  if (text.trim() === '') return { ok: false, response: problem(400, 'Send the rule as the JSON body') };
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    return { ok: false, response: problem(415, 'Send the body as application/json.') };
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    return { ok: false, response: problem(400, `The body is not valid JSON: ${(err as Error).message}`) };
  }
  const overlong = overlongIdIn(value);
  if (overlong) {
    return {
      ok: false,
      response: problem(
        400,
        `Invalid body: ${overlong.field} is ${overlong.length} characters long; no id is longer than ${MAX_ID_LENGTH}`,
      ),
    };
  }
  return { ok: true, value };
}
