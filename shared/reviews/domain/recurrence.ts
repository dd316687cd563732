/**
 * When a series' occurrences start and end — pure functions of its settings. Occurrence k starts at the range's
 * start date (00:00 UTC, or the series' creation time if that is later, for the first) plus k intervals (weeks, or
 * calendar months with the day of month clamped), and lasts `instanceDurationInDays`. A series without recurrence
 * (or without a pattern: then it starts on the range's start date, or at creation if that is later) is one-time. The series ends after `numberOfOccurrences`, or with the last start on or before `endDate`.
 */
import { seriesRecurrence, type ReviewSettings } from './review-definition';

const DAY_MS = 86_400_000;

export interface Occurrence {
  index: number;
  start: Date;
  end: Date;
}

/** Occurrence `index`, or undefined when the series has ended before it. */
export function occurrenceAt(
  settings: ReviewSettings,
  createdAt: Date,
  index: number,
): Occurrence | undefined {
  const range = settings.recurrence?.range;
  const r = seriesRecurrence(settings.recurrence);
  const anchor = range ? new Date(`${range.startDate}T00:00:00.000Z`) : createdAt;
  if (!r && index > 0) return undefined;
  if (r?.range.type === 'numbered' && index >= (r.range.numberOfOccurrences ?? 1)) return undefined;
  let start = !r
    ? anchor
    : r.pattern.type === 'weekly'
      ? addDays(anchor, 7 * r.pattern.interval * index)
      : addMonths(anchor, r.pattern.interval * index);
  if (r?.range.type === 'endDate' && r.range.endDate && start > new Date(`${r.range.endDate}T23:59:59.999Z`))
    return undefined;
  if (index === 0 && start < createdAt) start = createdAt;
  return { index, start, end: addDays(start, settings.instanceDurationInDays) };
}

/** Why these settings can't make a series, or undefined. The duration must be shorter than the interval. */
export function checkRecurrence(settings: ReviewSettings): string | undefined {
  const r = seriesRecurrence(settings.recurrence);
  if (!r) return undefined;
  const shortestIntervalDays = r.pattern.type === 'weekly' ? 7 * r.pattern.interval : 28 * r.pattern.interval;
  if (settings.instanceDurationInDays >= shortestIntervalDays)
    return `settings.instanceDurationInDays (${settings.instanceDurationInDays}) must be shorter than the interval between occurrences (${shortestIntervalDays} days at the shortest)`;
  if (r.range.type === 'endDate') {
    if (!r.range.endDate) return 'settings.recurrence.range.endDate is required for type endDate';
    if (r.range.endDate < r.range.startDate)
      return 'settings.recurrence.range.endDate must not be before its startDate';
  }
  if (r.range.type === 'numbered' && !(r.range.numberOfOccurrences && r.range.numberOfOccurrences >= 1))
    return 'settings.recurrence.range.numberOfOccurrences must be at least 1 for type numbered';
  return undefined;
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/** Calendar months, keeping the day of month where it exists (Jan 31 + 1 month = Feb 28/29). */
function addMonths(d: Date, months: number): Date {
  const day = d.getUTCDate();
  const target = new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}
