/** The ids of an access review's documents, derived from what they are about (so a retried step creates nothing twice). */
import { guidFrom } from '../../deterministic-id';

/** The instance reviewing one group role in one occurrence of a series. */
export function reviewInstanceId(
  definitionId: string,
  occurrence: number,
  groupId: string,
  accessId: string,
): string {
  return guidFrom(
    'pimflow-review-instance',
    definitionId,
    String(occurrence),
    groupId.toLowerCase(),
    accessId,
  );
}

/** The decision item of one schedule in one instance. */
export function reviewDecisionId(instanceId: string, scheduleId: string): string {
  return guidFrom('pimflow-review-decision', instanceId, scheduleId);
}
