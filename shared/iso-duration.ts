/**
 * ISO 8601 durations as PIM uses them (`PT2H`, `PT30M`, `P180D`, `P1Y` = 365 days); undefined if malformed or
 * longer than MAX_ISO_DURATION (so no date computed from one can overflow JavaScript's dates, which end in the year
 * 275760: `P300000000D` is refused, not a 500). Every ISO duration the API accepts goes through here.
 */
const ISO =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** The longest duration accepted anywhere: 100 years of 365 days. Longer access is `noExpiration`. */
export const MAX_ISO_DURATION = 'P36500D';
export const MAX_ISO_DURATION_MS = 36_500 * 86_400_000;

export function parseIsoDuration(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, y, mo, w, d, h, mi, s] = m.map((v) => Number(v ?? 0));
  const days = (y ?? 0) * 365 + (mo ?? 0) * 30 + (w ?? 0) * 7 + (d ?? 0);
  const ms = ((days * 24 + (h ?? 0)) * 60 + (mi ?? 0)) * 60_000 + (s ?? 0) * 1000;
  return Number.isFinite(ms) && ms <= MAX_ISO_DURATION_MS ? ms : undefined;
}
