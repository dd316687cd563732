/** The schedules an apply must end along with a denied eligibility: live activations made from it. */
import type { PimStore } from '../../requests/adapters/pim-store';
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { Stored } from '../../storage/stored';

/** Live activations (in this group and role) that came from one of these eligibilities, by eligibility. */
export async function liveActivationsFrom(
  store: PimStore,
  role: { groupId: string; accessId: string },
  eligibilityIds: ReadonlySet<string>,
): Promise<Map<string, Stored<Schedule>[]>> {
  const out = new Map<string, Stored<Schedule>[]>();
  let continuationToken: string | undefined;
  do {
    const page = await store.schedules.queryPage(
      "SELECT * FROM c WHERE c.groupId = @groupId AND c.kind = 'assignment' AND c.accessId = @accessId AND c.assignmentType = 'activated' AND c.status IN ('Scheduled', 'Provisioned')",
      { '@groupId': role.groupId, '@accessId': role.accessId },
      { partitionKey: role.groupId, pageSize: 500, continuationToken },
    );
    for (const s of page.items) {
      if (!s.activatedUsing || !eligibilityIds.has(s.activatedUsing)) continue;
      out.set(s.activatedUsing, [...(out.get(s.activatedUsing) ?? []), s]);
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}
