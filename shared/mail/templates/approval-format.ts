/** Formatting shared by the approval mails and the approval pages: times in UTC, a request's window. */

/** `2026-03-02 09:00 UTC`. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `2026-03-02 09:00 UTC – 2026-03-02 11:00 UTC (2 h)`, or `from ... (permanent)`. */
export function approvalWindow(startDateTime: string, endDateTime: string | null): string {
  if (!endDateTime) return `from ${formatUtc(startDateTime)} (permanent)`;
  const minutes = Math.round((new Date(endDateTime).getTime() - new Date(startDateTime).getTime()) / 60_000);
  return `${formatUtc(startDateTime)} – ${formatUtc(endDateTime)} (${duration(minutes)})`;
}

function duration(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes < 0) return '?';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [days ? `${days} d` : '', hours ? `${hours} h` : '', mins ? `${mins} min` : ''].filter(
    Boolean,
  );
  return parts.length ? parts.join(' ') : '0 min';
}

/**
 * What a request asks, worded by its action: `asks to activate owner of …`, `asks to extend owner of … until …`,
 * `asks to renew owner of … until …`. Split around the group's name (`before`, group, `after`), so mails and pages
 * can set the name in bold.
 */
export function requestAsk(
  action: string,
  accessId: string,
  endDateTime: string | null,
): { before: string; after: string } {
  const until = endDateTime ? ` until ${formatUtc(endDateTime)}` : ' with no end date';
  switch (action) {
    case 'selfActivate':
      return { before: `asks to activate ${accessId} of `, after: '' };
    case 'selfExtend':
      return { before: `asks to extend ${accessId} of `, after: until };
    case 'selfRenew':
      return { before: `asks to renew ${accessId} of `, after: until };
    default:
      return { before: `asks for ${accessId} of `, after: '' };
  }
}
