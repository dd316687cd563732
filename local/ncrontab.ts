// Timer-trigger schedules as the Azure Functions host reads them: an NCRONTAB expression
// (6 fields with seconds, or the classic 5) or a .NET TimeSpan ("00:05:00", "1.00:00:00").
// Every time is UTC, as on the host unless WEBSITE_TIME_ZONE is set.
//
// Where NCrontab is lenient in ways that silently change meaning (reversed ranges are swapped,
// a step of 0 becomes 1, one-letter names match the first name they prefix), this parser
// rejects instead, so that whatever it accepts means the same thing when deployed.

export interface TimerSchedule {
  readonly expression: string;
  next(after: Date): Date;
}

export class NcrontabError extends Error {
  override name = 'NcrontabError';
}

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  // Highest value written explicitly; day-of-week accepts 7 as a second Sunday.
  readonly max: number;
  // Highest value a `*` or an open `a/n` covers, so `*` in day-of-week doesn't count Sunday twice.
  readonly openMax: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const SECOND: FieldSpec = { label: 'second', min: 0, max: 59, openMax: 59 };
const MINUTE: FieldSpec = { label: 'minute', min: 0, max: 59, openMax: 59 };
const HOUR: FieldSpec = { label: 'hour', min: 0, max: 23, openMax: 23 };
const DAY: FieldSpec = { label: 'day', min: 1, max: 31, openMax: 31 };
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, openMax: 12, names: MONTH_NAMES };
const WEEKDAY: FieldSpec = { label: 'day-of-week', min: 0, max: 7, openMax: 6, names: DAY_NAMES };

// The longest gap a satisfiable schedule can have is Feb 29 across a skipped leap year
// (2096 -> 2104); anything unsatisfiable is rejected at parse time, so this is only a backstop.
const SEARCH_YEARS = 10;

const SIX_FIELDS = '{second} {minute} {hour} {day} {month} {day-of-week}';

/** A parsed field: which values it allows, and whether it was written as a bare `*`. */
interface Field {
  readonly allowed: readonly boolean[];
  readonly star: boolean;
}

interface CronFields {
  readonly second: Field;
  readonly minute: Field;
  readonly hour: Field;
  readonly day: Field;
  readonly month: Field;
  readonly weekday: Field;
}

export function parseTimerSchedule(expression: string): TimerSchedule {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new NcrontabError('Timer schedule is empty; expected an NCRONTAB expression or a TimeSpan');
  }
  const tokens = expression.trim().split(/\s+/);
  if (tokens.length === 1 && tokens[0]!.includes(':')) {
    return intervalSchedule(expression, parseTimeSpan(expression, tokens[0]!));
  }
  if (tokens.length !== 6 && tokens.length !== 5) {
    throw fail(
      expression,
      `expected 6 fields (${SIX_FIELDS}), 5 fields (no seconds) or a TimeSpan like 00:05:00, ` +
        `but found ${tokens.length} field${tokens.length === 1 ? '' : 's'}`,
    );
  }
  // NCrontab's 5-field form has no seconds; it fires at second 0.
  const [s, mi, h, d, mo, wd] = tokens.length === 6 ? tokens : ['0', ...tokens];
  const fields: CronFields = {
    second: parseField(expression, SECOND, s!),
    minute: parseField(expression, MINUTE, mi!),
    hour: parseField(expression, HOUR, h!),
    day: parseField(expression, DAY, d!),
    month: parseField(expression, MONTH, mo!),
    weekday: parseField(expression, WEEKDAY, wd!),
  };
  assertSatisfiable(expression, fields);
  return cronSchedule(expression, fields);
}

function fail(expression: string, reason: string): NcrontabError {
  return new NcrontabError(`Invalid timer schedule "${expression}": ${reason}`);
}

// ---------------------------------------------------------------------------------------------
// TimeSpan form

// .NET TimeSpan "[d.]hh:mm[:ss[.fffffff]]". A bare number (days, to .NET) is not accepted: as a
// schedule it is far more likely a broken cron expression than "every N days".
const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

function parseTimeSpan(expression: string, text: string): number {
  const match = TIME_SPAN.exec(text);
  if (!match) {
    throw fail(
      expression,
      `"${text}" is not a TimeSpan; expected [d.]hh:mm[:ss], e.g. 00:05:00 or 1.00:00:00`,
    );
  }
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  checkPart(expression, 'hours', hours, 23);
  checkPart(expression, 'minutes', minutes, 59);
  checkPart(expression, 'seconds', seconds, 59);
  const ms =
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(Number(`0.${fraction || '0'}`) * 1000);
  if (ms <= 0) throw fail(expression, 'a TimeSpan interval must be greater than zero');
  return ms;
}

function checkPart(expression: string, label: string, text: string, max: number): void {
  if (Number(text) > max) throw fail(expression, `TimeSpan ${label} ${text} is out of range 0-${max}`);
}

function intervalSchedule(expression: string, intervalMs: number): TimerSchedule {
  return {
    expression,
    // The host runs a TimeSpan schedule every interval after the last run, not on a clock grid.
    next: (after) => new Date(validTime(after) + intervalMs),
  };
}

// ---------------------------------------------------------------------------------------------
// Cron fields

function parseField(expression: string, spec: FieldSpec, text: string): Field {
  const allowed: boolean[] = new Array<boolean>(spec.openMax + 1).fill(false);
  const bad = (reason: string) => fail(expression, `${spec.label} field "${text}": ${reason}`);
  for (const part of text.split(',')) {
    if (part === '') throw bad('empty list item');
    const [start, end, step] = parsePart(spec, part, bad);
    for (let v = start; v <= end; v += step) allowed[v === 7 && spec === WEEKDAY ? 0 : v] = true;
  }
  return { allowed, star: text === '*' };
}

type Fail = (reason: string) => NcrontabError;

/** One list item (`*`, `a`, `a-b`, each optionally `/n`) as an inclusive range and a step. */
function parsePart(spec: FieldSpec, part: string, bad: Fail): [number, number, number] {
  const pieces = part.split('/');
  if (pieces.length > 2) throw bad(`"${part}" has more than one "/"`);
  const [base = '', stepText] = pieces;
  const step = stepText === undefined ? 1 : parseStep(stepText, bad);
  if (base === '*') return [spec.min, spec.openMax, step];
  const bounds = base.split('-');
  if (bounds.length > 2) throw bad(`"${base}" is not a value or a range a-b`);
  const start = parseValue(spec, bounds[0] ?? '', bad);
  if (bounds.length === 1) {
    // NCrontab reads `a/n` as `a-max/n`; a lone `a` is just that value.
    return stepText === undefined ? [start, start, 1] : [start, Math.max(start, spec.openMax), step];
  }
  const end = parseValue(spec, bounds[1] ?? '', bad);
  // NCrontab silently swaps a reversed range, so on Azure `Sat-Sun` fires every day; refuse it instead.
  if (start > end) {
    const split = `${span(start, spec.openMax)},${span(spec.min, end)}`;
    throw bad(
      `range "${base}" runs backwards (NCrontab would read it as ${end}-${start}); use a list like ${split}`,
    );
  }
  return [start, end, step];
}

function span(from: number, to: number): string {
  return from === to ? `${from}` : `${from}-${to}`;
}

function parseStep(text: string, bad: Fail): number {
  if (!/^\d+$/.test(text)) throw bad(`step "/${text}" is not a whole number`);
  const step = Number(text);
  if (step < 1) throw bad('step must be at least 1');
  return step;
}

function parseValue(spec: FieldSpec, text: string, bad: Fail): number {
  const range = `${spec.min}-${spec.max}`;
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) throw bad(`value ${text} is out of range ${range}`);
    return value;
  }
  const named = spec.names ? lookupName(spec.names, text) : undefined;
  if (named !== undefined) return named + spec.min;
  const hint = spec.names ? ` or a name (${shortNames(spec.names)})` : '';
  throw bad(`"${text}" is not a number ${range}${hint}`);
}

/** Full names or any prefix of at least 3 letters (Jan, Sept, Thurs), case-insensitive. */
function lookupName(names: readonly string[], text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower.length < 3 || !/^[a-z]+$/.test(lower)) return undefined;
  const index = names.findIndex((name) => name.startsWith(lower));
  return index === -1 ? undefined : index;
}

function shortNames(names: readonly string[]): string {
  const short = names.map((n) => n[0]!.toUpperCase() + n.slice(1, 3));
  return `${short[0]}..${short[short.length - 1]}`;
}

// Unsatisfiable day/month combinations (`31 Feb`, `31 Apr,Jun`) would otherwise make next() search
// in vain. A day that exists falls on every weekday over the years, so the weekday field can't make it worse.
function assertSatisfiable(expression: string, f: CronFields): void {
  for (let month = 1; month <= 12; month++) {
    if (!f.month.allowed[month]) continue;
    // Feb 29 counts: it exists, just rarely.
    const longest = month === 2 ? 29 : daysInMonth(2001, month);
    for (let day = 1; day <= longest; day++) if (f.day.allowed[day]) return;
  }
  throw fail(expression, 'no allowed day exists in any allowed month, so it would never fire');
}

// ---------------------------------------------------------------------------------------------
// Occurrences

function cronSchedule(expression: string, fields: CronFields): TimerSchedule {
  return { expression, next: (after) => nextOccurrence(expression, fields, after) };
}

/**
 * Walks field by field from the most significant: when a field has no allowed value left in its
 * unit, carry into the next larger unit and reset everything smaller to its minimum.
 */
function nextOccurrence(expression: string, f: CronFields, after: Date): Date {
  // Occurrences are whole seconds, and the result must be strictly later than `after`.
  const from = new Date(Math.floor(validTime(after) / 1000) * 1000 + 1000);
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  let day = from.getUTCDate();
  let hour = from.getUTCHours();
  let minute = from.getUTCMinutes();
  let second = from.getUTCSeconds();
  const lastYear = year + SEARCH_YEARS;

  while (year <= lastYear) {
    const m = nextAllowed(f.month, month);
    if (m === undefined) {
      [year, month, day, hour, minute, second] = [year + 1, 1, 1, 0, 0, 0];
      continue;
    }
    if (m !== month) [month, day, hour, minute, second] = [m, 1, 0, 0, 0];

    const d = nextDay(f, year, month, day);
    if (d === undefined) {
      [month, day, hour, minute, second] = [month + 1, 1, 0, 0, 0];
      continue;
    }
    if (d !== day) [day, hour, minute, second] = [d, 0, 0, 0];

    const h = nextAllowed(f.hour, hour);
    if (h === undefined) {
      [day, hour, minute, second] = [day + 1, 0, 0, 0];
      continue;
    }
    if (h !== hour) [hour, minute, second] = [h, 0, 0];

    const mi = nextAllowed(f.minute, minute);
    if (mi === undefined) {
      [hour, minute, second] = [hour + 1, 0, 0];
      continue;
    }
    if (mi !== minute) [minute, second] = [mi, 0];

    const s = nextAllowed(f.second, second);
    if (s === undefined) {
      [minute, second] = [minute + 1, 0];
      continue;
    }
    return utc(year, month, day, hour, minute, s);
  }
  throw new NcrontabError(
    `Timer schedule "${expression}" has no occurrence within ${SEARCH_YEARS} years of ${after.toISOString()}`,
  );
}

/** The first allowed value >= from, or undefined when the unit is exhausted (also for overflow). */
function nextAllowed(field: Field, from: number): number | undefined {
  for (let v = from; v < field.allowed.length; v++) if (field.allowed[v]) return v;
  return undefined;
}

function nextDay(f: CronFields, year: number, month: number, from: number): number | undefined {
  const last = daysInMonth(year, month);
  for (let day = from; day <= last; day++) if (dayMatches(f, year, month, day)) return day;
  return undefined;
}

// NCrontab's rule, which the Functions host uses: the day must match both day fields (classic cron would
// accept either when both are restricted; we follow Azure so a schedule fires on the same days everywhere).
function dayMatches(f: CronFields, year: number, month: number, day: number): boolean {
  const byDay = f.day.allowed[day] === true;
  const byWeekday = f.weekday.allowed[utc(year, month, day, 0, 0, 0).getUTCDay()] === true;
  return byDay && byWeekday;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the following month is the last day of this one.
  return utc(year, month + 1, 0, 0, 0, 0).getUTCDate();
}

// Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date;
}

function validTime(date: Date): number {
  const time = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(time)) throw new TypeError('next() needs a valid Date');
  return time;
}
