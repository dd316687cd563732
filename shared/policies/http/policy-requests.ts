/** What the role-settings routes read from a request: the scope `$filter`, `$expand` of assignments, a rule body. */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { MAX_ID_LENGTH, overlongIdIn } from '../../http/edge';
import { readLimitedBody } from '../../http/json-body';
import { ODataError, parseExpand, parseFilter, type FilterClause } from '../../http/odata';
import { problem } from '../../http/problem';
import type { GroupRole } from '../../managed-groups/domain/managed-group';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Graph's `scopeId eq '{groupId}' and scopeType eq 'Group'` (plus, for assignments, `roleDefinitionId`). */
export function scopeFilter(request: HttpRequest, withRole: boolean): { groupId: string; role?: GroupRole } {
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
    throw new ODataError("Give $filter=scopeId eq '{groupId}' and scopeType eq 'Group'");
  }
  if (scopeType !== 'Group') throw new ODataError(`scopeType must be 'Group' (pimflow manages groups)`);
  if (!GUID.test(scopeId)) throw new ODataError(`scopeId must be a group's object id (a GUID)`);
  const role = byField.get('roleDefinitionId')?.value;
  if (role !== undefined && role !== 'member' && role !== 'owner') {
    throw new ODataError(`roleDefinitionId must be 'member' or 'owner'`);
  }
  return { groupId: scopeId.toLowerCase(), ...(role !== undefined && { role }) };
}

export type AssignmentExpand = 'none' | 'policy' | 'policyWithRules';

export function assignmentExpand(request: HttpRequest): AssignmentExpand {
  const expand = parseExpand(request, ['policy', 'policy($expand=rules)']);
  return expand.includes('policy($expand=rules)')
    ? 'policyWithRules'
    : expand.includes('policy')
      ? 'policy'
      : 'none';
}

const ASSIGNMENT_ID = /^Group_([0-9a-f-]{36})_(Group_[0-9a-f-]{36}_[0-9a-f-]{36})_(member|owner)$/i;

/** `Group_{groupId}_{policyId}_{role}`, or undefined when the id isn't one. */
export function parseAssignmentId(
  id: string,
): { groupId: string; policyId: string; role: string } | undefined {
  const m = ASSIGNMENT_ID.exec(id);
  const groupId = m?.[1]?.toLowerCase();
  if (!m || !groupId || !GUID.test(groupId)) return undefined;
  return { groupId, policyId: m[2] as string, role: m[3] as string };
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
