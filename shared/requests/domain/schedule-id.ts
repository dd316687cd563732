/**
 * Graph names a PIM for Groups schedule `{groupId}_{accessId}_{guid}` (its requests' `targetScheduleId`, its
 * schedules' and instances' ids); Entra role schedules are a bare guid. pimflow stores the guid for both and writes
 * Graph's form at the API's edge, so nothing stored changes; a bare guid (what pimflow answered before) still works.
 */
const GROUP_SCHEDULE_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}_(?:member|owner)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Graph's id of a group schedule: `{groupId}_{accessId}_{id}`. */
export function groupScheduleId(s: { groupId: string; accessId: string; id: string }): string {
  return `${s.groupId}_${s.accessId}_${s.id}`;
}

/** The stored id an API id names: the guid of Graph's group form, anything else as given. */
export function storedScheduleId(id: string): string {
  return GROUP_SCHEDULE_ID.exec(id)?.[1] ?? id;
}
