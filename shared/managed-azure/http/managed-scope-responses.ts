/** The API's side of managed Azure scopes: the view of a scope, and the status of each refusal. */
import type { HttpResponseInit } from '@azure/functions';
import { problem } from '../../http/problem';
import type { ManagedAzureScope } from '../domain/managed-scope';
import type { ScopeManageRefusal } from '../managed-azure-scopes';

const STATUS: Record<ScopeManageRefusal['reason'], number> = {
  invalid: 400,
  notInArm: 404,
  notManaged: 404,
  alreadyManaged: 409,
};

export function scopeRefusalResponse(refusal: ScopeManageRefusal): HttpResponseInit {
  return problem(STATUS[refusal.reason], refusal.detail);
}

/** The API's view of a managed scope; the baseline only when asked (the single-scope GET and the POST). */
export function managedAzureScopeView(
  scope: ManagedAzureScope,
  withBaseline: boolean,
): Record<string, unknown> {
  return {
    id: scope.id,
    scope: scope.armScope,
    normalizedScope: scope.scope,
    kind: scope.kind,
    displayName: scope.displayName,
    type: scope.type,
    ancestors: scope.ancestors,
    managedSince: scope.managedSince,
    managedBy: scope.managedBy,
    removeAssignmentsMadeOutsidePim: scope.settings.removeAssignmentsMadeOutsidePim ?? false,
    baselineTakenAt: scope.baselineTakenAt,
    ...(withBaseline && { baselineAssignments: scope.baselineAssignments }),
  };
}
