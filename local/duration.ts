/** ISO 8601 durations (`P14D`, `PT1H30M`, `P1Y2M`) and .NET TimeSpans (`1.02:03:04`) as milliseconds. */
export class DurationError extends Error {}

const ISO =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Years count 365 days and months 30 days: good enough for moving a test clock, not for calendars. */
export function parseDuration(text: string): number {
  const iso = ISO.exec(text);
  if (iso && text !== 'P' && !text.endsWith('T')) {
    const [, y, mo, w, d, h, mi, s] = iso.map((v) => (v === undefined ? 0 : Number(v)));
    return (
      (y ?? 0) * 365 * DAY +
      (mo ?? 0) * 30 * DAY +
      (w ?? 0) * 7 * DAY +
      (d ?? 0) * DAY +
      (h ?? 0) * HOUR +
      (mi ?? 0) * MINUTE +
      (s ?? 0) * SECOND
    );
  }
  return parseTimeSpan(text);
}

export function parseTimeSpan(text: string): number {
  const m = TIMESPAN.exec(text);
  if (!m) throw new DurationError(`"${text}" is neither an ISO 8601 duration nor a d.hh:mm:ss time span`);
  const [, d, h, mi, s, frac] = m;
  return (
    Number(d ?? 0) * DAY +
    Number(h) * HOUR +
    Number(mi) * MINUTE +
    Number(s) * SECOND +
    Math.round(Number(`0.${frac ?? '0'}`) * SECOND)
  );
}
