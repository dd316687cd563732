/** Dates and ISO 8601 durations as people read them, in the browser's language and time zone. */

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

const UNITS: [RegExp, string][] = [
  [/(\d+(?:\.\d+)?)D/, 'day'],
  [/T.*?(\d+(?:\.\d+)?)H/, 'hour'],
  [/T.*?(\d+(?:\.\d+)?)M/, 'minute'],
];

/** `PT8H` → "8 hours", `P1DT30M` → "1 day 30 minutes", `P365D` → "365 days". */
export function formatDuration(iso: string | null | undefined): string {
  if (!iso) return '—';
  const parts: string[] = [];
  const years = /^P(\d+)Y/.exec(iso)?.[1];
  if (years) parts.push(plural(Number(years), 'year'));
  const weeks = /^P(\d+)W/.exec(iso)?.[1];
  if (weeks) parts.push(plural(Number(weeks), 'week'));
  for (const [re, unit] of UNITS) {
    const n = re.exec(iso.replace(/^P\d+Y/, 'P'))?.[1];
    if (n) parts.push(plural(Number(n), unit));
  }
  return parts.length > 0 ? parts.join(' ') : iso;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** Hours as an ISO 8601 duration (`PT1H30M` for 1.5). */
export function hoursToDuration(hours: number): string {
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 || h === 0 ? `${m}M` : ''}`;
}

/** An ISO 8601 duration in hours (`PT8H` → 8, `P1D` → 24), or undefined if it has years or months. */
export function durationToHours(iso: string): number | undefined {
  const m =
    /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      iso,
    );
  if (!m) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * 168 +
    Number(d ?? 0) * 24 +
    Number(h ?? 0) +
    Number(min ?? 0) / 60 +
    Number(s ?? 0) / 3600
  );
}
