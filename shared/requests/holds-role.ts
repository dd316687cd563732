/**
 * Whether a principal holds a role on a resource through pimflow: an eligible or active assignment, current or
 * scheduled. Holding a role lets them read its settings — the maximum duration, what activation requires, whether
 * it needs approval — as PIM shows them on the activation page.
 */
import type { PimStore } from './adapters/pim-store';

export async function holdsRole(
  store: PimStore,
  principalId: string,
  resourceId: string,
  roleId: string,
): Promise<boolean> {
  for (const kind of ['eligibility', 'assignment'] as const) {
    const page = await store.listSchedules({
      groupId: resourceId,
      principalId,
      accessId: roleId,
      kind,
      pageSize: 1,
    });
    if (page.items.length > 0) return true;
  }
  return false;
}
