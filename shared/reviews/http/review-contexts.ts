/** The entity sets of access review answers, as Graph's `@odata.context` names them (odata-shape.ts makes them absolute). */

export const DEFINITIONS_SET = 'identityGovernance/accessReviews/definitions';

export function instancesOf(definitionId: string): string {
  return `${DEFINITIONS_SET}('${definitionId}')/instances`;
}

export function decisionsOf(instance: { id: string; definitionId: string }): string {
  return `${instancesOf(instance.definitionId)}('${instance.id}')/decisions`;
}
