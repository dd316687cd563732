/** The entity sets of access review answers, as Graph's `@odata.context` names them (odata-shape.ts makes them absolute). */

export const DEFINITIONS_SET = 'identityGovernance/accessReviews/definitions';

export function instancesOf(definitionId: string): string {
  return `${DEFINITIONS_SET}('${definitionId}')/instances`;
}

export function decisionsOf(instance: { id: string; definitionId: string }): string {
  return `${instancesOf(instance.definitionId)}('${instance.id}')/decisions`;
}

export function stagesOf(instance: { id: string; definitionId: string }): string {
  return `${instancesOf(instance.definitionId)}('${instance.id}')/stages`;
}

/** An instance's decisions, or one stage's (`.../stages('{stageId}')/decisions`) on a stage's route. */
export function decisionsIn(
  instance: { id: string; definitionId: string },
  stage?: { stageId: string },
): string {
  return stage ? `${stagesOf(instance)}('${stage.stageId}')/decisions` : decisionsOf(instance);
}
