/**
 * The approvers a rule names must exist in the directory (users are users, groups are groups): the one check of a
 * rule PATCH that reads Graph, made after every other check passed.
 */
import type { Directory } from '../directory/directory';
import type { FieldError } from './domain/rule-input';
import { RULE_TYPES, USER_SET_TYPES, type PolicyRule } from './domain/rules';

export async function checkApproversExist(rule: PolicyRule, directory: Directory): Promise<FieldError[]> {
  if (rule['@odata.type'] !== RULE_TYPES.approval) return [];
  const errors: FieldError[] = [];
  const users: { id: string; field: string }[] = [];
  const groups: { id: string; field: string }[] = [];
  rule.setting.approvalStages.forEach((stage, i) => {
    for (const list of ['primaryApprovers', 'escalationApprovers'] as const) {
      stage[list].forEach((a, j) => {
        const field = `body.setting.approvalStages.${i}.${list}.${j}`;
        if (a['@odata.type'] === USER_SET_TYPES.singleUser)
          users.push({ id: a.userId, field: `${field}.userId` });
        else if (a['@odata.type'] === USER_SET_TYPES.groupMembers)
          groups.push({ id: a.groupId, field: `${field}.groupId` });
      });
    }
  });
  if (users.length > 0) {
    const found = await directory.getUsers(users.map((u) => u.id));
    for (const u of users) {
      if (!found[u.id]) errors.push({ field: u.field, message: `No user ${u.id} in the directory` });
    }
  }
  const groupsFound = await Promise.all(groups.map((g) => directory.getGroup(g.id)));
  groups.forEach((g, i) => {
    if (!groupsFound[i]) errors.push({ field: g.field, message: `No group ${g.id} in the directory` });
  });
  return errors;
}
