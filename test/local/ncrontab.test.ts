import { describe, it, expect } from 'vitest';

import { NcrontabError, parseTimerSchedule } from '../../local/ncrontab';

const at = (iso: string) => new Date(iso);

/** The next `count` occurrences after `from`, as ISO strings. */
function occurrences(expression: string, from: string, count: number): string[] {
  const schedule = parseTimerSchedule(expression);
  const out: string[] = [];
  let cursor = at(from);
  for (let i = 0; i < count; i++) {
    cursor = schedule.next(cursor);
    out.push(cursor.toISOString());
  }
  return out;
}

function errorOf(expression: string): NcrontabError {
  try {
    parseTimerSchedule(expression);
  } catch (err) {
    expect(err).toBeInstanceOf(NcrontabError);
    return err as NcrontabError;
  }
  throw new Error(`expected "${expression}" to be rejected`);
}

describe('parseTimerSchedule: six-field NCRONTAB', () => {
  it('keeps the expression it was given', () => {
    expect(parseTimerSchedule('*/5 * * * * *').expression).toBe('*/5 * * * * *');
  });

  it('fires every 5 seconds, strictly after the given time', () => {
    expect(occurrences('*/5 * * * * *', '2024-01-01T00:00:00.000Z', 3)).toEqual([
      '2024-01-01T00:00:05.000Z',
      '2024-01-01T00:00:10.000Z',
      '2024-01-01T00:00:15.000Z',
    ]);
  });

  it('ignores milliseconds of `after` without returning a time at or before it', () => {
    const schedule = parseTimerSchedule('*/5 * * * * *');
    expect(schedule.next(at('2024-01-01T00:00:04.999Z')).toISOString()).toBe('2024-01-01T00:00:05.000Z');
    expect(schedule.next(at('2024-01-01T00:00:05.001Z')).toISOString()).toBe('2024-01-01T00:00:10.000Z');
  });

  it('fires every 5 minutes on the minute, carrying into the next hour', () => {
    expect(occurrences('0 */5 * * * *', '2024-03-10T10:52:30Z', 3)).toEqual([
      '2024-03-10T10:55:00.000Z',
      '2024-03-10T11:00:00.000Z',
      '2024-03-10T11:05:00.000Z',
    ]);
  });

  it('skips the weekend for 9:30 on weekdays', () => {
    // 2024-06-07 is a Friday.
    expect(occurrences('0 30 9 * * 1-5', '2024-06-07T09:30:00Z', 2)).toEqual([
      '2024-06-10T09:30:00.000Z',
      '2024-06-11T09:30:00.000Z',
    ]);
    expect(occurrences('0 30 9 * * 1-5', '2024-06-07T09:29:59Z', 1)).toEqual(['2024-06-07T09:30:00.000Z']);
  });

  it('supports lists, ranges with steps and open `a/n` steps', () => {
    expect(occurrences('0 0 8-18/4 * * *', '2024-01-01T00:00:00Z', 4)).toEqual([
      '2024-01-01T08:00:00.000Z',
      '2024-01-01T12:00:00.000Z',
      '2024-01-01T16:00:00.000Z',
      '2024-01-02T08:00:00.000Z',
    ]);
    expect(occurrences('0 0 20/2 * * *', '2024-01-01T00:00:00Z', 3)).toEqual([
      '2024-01-01T20:00:00.000Z',
      '2024-01-01T22:00:00.000Z',
      '2024-01-02T20:00:00.000Z',
    ]);
    expect(occurrences('15,45 5,10 * * * *', '2024-01-01T00:00:00Z', 5)).toEqual([
      '2024-01-01T00:05:15.000Z',
      '2024-01-01T00:05:45.000Z',
      '2024-01-01T00:10:15.000Z',
      '2024-01-01T00:10:45.000Z',
      '2024-01-01T01:05:15.000Z',
    ]);
  });

  it('accepts month and day names in any case, in lists and ranges', () => {
    // Mondays and Wednesdays of March and June 2024.
    expect(occurrences('0 0 12 * mar,JUN mon,Wed', '2024-02-15T00:00:00Z', 3)).toEqual([
      '2024-03-04T12:00:00.000Z',
      '2024-03-06T12:00:00.000Z',
      '2024-03-11T12:00:00.000Z',
    ]);
    expect(occurrences('0 0 12 1 Jan-Mar *', '2024-02-15T00:00:00Z', 2)).toEqual([
      '2024-03-01T12:00:00.000Z',
      '2025-01-01T12:00:00.000Z',
    ]);
    expect(occurrences('0 0 0 * * Thu-Sat', '2024-06-04T00:00:00Z', 1)).toEqual(['2024-06-06T00:00:00.000Z']);
    expect(parseTimerSchedule('0 0 0 1 September Thurs').expression).toBe('0 0 0 1 September Thurs');
  });

  it('treats day-of-week 7 as Sunday', () => {
    // 2024-06-09 is a Sunday.
    expect(occurrences('0 0 0 * * 7', '2024-06-05T00:00:00Z', 1)).toEqual(['2024-06-09T00:00:00.000Z']);
    expect(occurrences('0 0 0 * * 5-7', '2024-06-08T12:00:00Z', 2)).toEqual([
      '2024-06-09T00:00:00.000Z',
      '2024-06-14T00:00:00.000Z',
    ]);
  });

  it('needs both day-of-month and day-of-week to match when both are restricted, as NCrontab does', () => {
    // Only Friday the 13th: September and December 2024, then June 2025.
    expect(occurrences('0 0 0 13 * Fri', '2024-06-01T00:00:00Z', 3)).toEqual([
      '2024-09-13T00:00:00.000Z',
      '2024-12-13T00:00:00.000Z',
      '2025-06-13T00:00:00.000Z',
    ]);
  });

  it('lets the restricted day field decide when the other is `*`', () => {
    expect(occurrences('0 0 0 13 * *', '2024-06-01T00:00:00Z', 2)).toEqual([
      '2024-06-13T00:00:00.000Z',
      '2024-07-13T00:00:00.000Z',
    ]);
    expect(occurrences('0 0 0 * * Fri', '2024-06-01T00:00:00Z', 2)).toEqual([
      '2024-06-07T00:00:00.000Z',
      '2024-06-14T00:00:00.000Z',
    ]);
  });
});

describe('parseTimerSchedule: five-field NCRONTAB', () => {
  it('reads minute-first and fires at second 0', () => {
    expect(occurrences('*/15 * * * *', '2024-01-01T00:07:42Z', 3)).toEqual([
      '2024-01-01T00:15:00.000Z',
      '2024-01-01T00:30:00.000Z',
      '2024-01-01T00:45:00.000Z',
    ]);
    expect(occurrences('30 9 * * Mon-Fri', '2024-06-07T10:00:00Z', 1)).toEqual(['2024-06-10T09:30:00.000Z']);
  });
});

describe('parseTimerSchedule: TimeSpan', () => {
  it('fires one interval after the last run', () => {
    const schedule = parseTimerSchedule('00:05:00');
    expect(schedule.expression).toBe('00:05:00');
    expect(schedule.next(at('2024-01-01T10:02:13.250Z')).toISOString()).toBe('2024-01-01T10:07:13.250Z');
  });

  it('reads days, hours:minutes and fractions of a second', () => {
    const from = at('2024-01-31T12:00:00Z');
    expect(parseTimerSchedule('1.00:00:00').next(from).toISOString()).toBe('2024-02-01T12:00:00.000Z');
    expect(parseTimerSchedule('2.03:04:05').next(from).toISOString()).toBe('2024-02-02T15:04:05.000Z');
    expect(parseTimerSchedule('01:30').next(from).toISOString()).toBe('2024-01-31T13:30:00.000Z');
    expect(parseTimerSchedule('00:00:00.5').next(from).toISOString()).toBe('2024-01-31T12:00:00.500Z');
  });

  it('rejects out-of-range parts and a zero interval', () => {
    expect(errorOf('00:60:00').message).toMatch(/minutes 60 is out of range 0-59/);
    expect(errorOf('24:00:00').message).toMatch(/hours 24 is out of range 0-23/);
    expect(errorOf('00:00:00').message).toMatch(/greater than zero/);
    expect(errorOf('5:xx').message).toMatch(/not a TimeSpan/);
  });
});

describe('next: calendar edges', () => {
  it('finds the next leap day quickly, across the skipped leap year 2100', () => {
    const schedule = parseTimerSchedule('0 0 0 29 Feb *');
    const started = performance.now();
    expect(schedule.next(at('2024-03-01T00:00:00Z')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(schedule.next(at('2028-02-29T00:00:00Z')).toISOString()).toBe('2032-02-29T00:00:00.000Z');
    expect(schedule.next(at('2096-02-29T00:00:00Z')).toISOString()).toBe('2104-02-29T00:00:00.000Z');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('skips months too short for the day', () => {
    expect(occurrences('0 0 0 31 * *', '2024-01-31T00:00:00Z', 3)).toEqual([
      '2024-03-31T00:00:00.000Z',
      '2024-05-31T00:00:00.000Z',
      '2024-07-31T00:00:00.000Z',
    ]);
    expect(occurrences('0 0 0 30 * *', '2023-01-30T00:00:00Z', 2)).toEqual([
      '2023-03-30T00:00:00.000Z',
      '2023-04-30T00:00:00.000Z',
    ]);
  });

  it('rolls over the end of a month, including February in leap and common years', () => {
    expect(occurrences('0 0 */6 * * *', '2024-02-28T20:00:00Z', 2)).toEqual([
      '2024-02-29T00:00:00.000Z',
      '2024-02-29T06:00:00.000Z',
    ]);
    expect(occurrences('0 0 */6 * * *', '2023-02-28T20:00:00Z', 1)).toEqual(['2023-03-01T00:00:00.000Z']);
    expect(occurrences('59 59 23 * * *', '2024-04-30T23:59:59Z', 1)).toEqual(['2024-05-01T23:59:59.000Z']);
  });

  it('rolls over the end of the year', () => {
    expect(occurrences('* * * * * *', '2024-12-31T23:59:59Z', 1)).toEqual(['2025-01-01T00:00:00.000Z']);
    expect(occurrences('0 0 9 1 Jan *', '2024-01-01T09:00:00Z', 1)).toEqual(['2025-01-01T09:00:00.000Z']);
    expect(occurrences('0 0 0 * Nov *', '2024-11-30T00:00:00Z', 1)).toEqual(['2025-11-01T00:00:00.000Z']);
  });

  it('handles years before 100 without the Date.UTC 19xx mapping', () => {
    expect(parseTimerSchedule('0 0 0 1 * *').next(at('0050-01-15T00:00:00Z')).toISOString()).toBe(
      '0050-02-01T00:00:00.000Z',
    );
  });

  it('rejects an invalid date', () => {
    expect(() => parseTimerSchedule('* * * * * *').next(new Date(NaN))).toThrow(TypeError);
  });
});

describe('parseTimerSchedule: invalid expressions', () => {
  it('names the expected shapes when the field count is wrong', () => {
    expect(errorOf('* * * *').message).toMatch(/expected 6 fields .*5 fields .*TimeSpan.*found 4 fields/);
    expect(errorOf('* * * * * * *').message).toMatch(/found 7 fields/);
    expect(errorOf('daily').message).toMatch(/found 1 field$/);
    expect(errorOf('   ').message).toMatch(/empty/);
  });

  it('names the field with an out-of-range value', () => {
    expect(errorOf('60 * * * * *').message).toMatch(/second field "60": value 60 is out of range 0-59/);
    expect(errorOf('0 60 * * * *').message).toMatch(/minute field "60"/);
    expect(errorOf('0 0 24 * * *').message).toMatch(/hour field "24": value 24 is out of range 0-23/);
    expect(errorOf('0 0 0 0 * *').message).toMatch(/day field "0": value 0 is out of range 1-31/);
    expect(errorOf('0 0 0 32 * *').message).toMatch(/day field "32"/);
    expect(errorOf('0 0 0 1 13 *').message).toMatch(/month field "13": value 13 is out of range 1-12/);
    expect(errorOf('0 0 0 * * 8').message).toMatch(/day-of-week field "8": value 8 is out of range 0-7/);
    expect(errorOf('0 0 0 * * 1-9').message).toMatch(/day-of-week field "1-9"/);
    expect(errorOf('0 0 0 * * 8').message).toContain('"0 0 0 * * 8"');
  });

  it('rejects garbage, unknown names and unsupported syntax', () => {
    expect(errorOf('0 0 0 * Foo *').message).toMatch(
      /month field "Foo": "Foo" is not a number 1-12 or a name \(Jan..Dec\)/,
    );
    expect(errorOf('0 0 0 * * Funday').message).toMatch(/day-of-week field .*\(Sun..Sat\)/);
    expect(errorOf('0 0 0 * * M').message).toMatch(/day-of-week field "M"/);
    expect(errorOf('0 0 Mon * * *').message).toMatch(/hour field "Mon": "Mon" is not a number 0-23$/);
    expect(errorOf('a b c d e f').message).toMatch(/second field "a"/);
    expect(errorOf('0 0 0 L * *').message).toMatch(/day field "L"/);
    expect(errorOf('0 0 0 ? * *').message).toMatch(/day field "\?"/);
    expect(errorOf('0 0 0 * * 5#3').message).toMatch(/day-of-week field "5#3"/);
    expect(errorOf('1,,2 * * * * *').message).toMatch(/second field "1,,2": empty list item/);
    expect(errorOf('0 1-2-3 * * * *').message).toMatch(/minute field "1-2-3"/);
    expect(errorOf('0 -5 * * * *').message).toMatch(/minute field "-5"/);
  });

  it('rejects bad steps and backwards ranges rather than guessing', () => {
    expect(errorOf('*/0 * * * * *').message).toMatch(/second field "\*\/0": step must be at least 1/);
    expect(errorOf('*/x * * * * *').message).toMatch(/step "\/x" is not a whole number/);
    expect(errorOf('*/2/3 * * * * *').message).toMatch(/more than one "\/"/);
    expect(errorOf('0 0 22-2 * * *').message).toMatch(
      /hour field "22-2": range "22-2" runs backwards \(NCrontab would read it as 2-22\); use a list like 22-23,0-2/,
    );
    // On Azure this would fire every day, not at weekends.
    expect(errorOf('0 0 0 * * Sat-Sun').message).toMatch(/read it as 0-6\); use a list like 6,0/);
  });

  it('rejects a schedule that can never fire, at parse time', () => {
    expect(errorOf('0 0 0 31 Feb *').message).toMatch(/never fire/);
    expect(errorOf('0 0 0 30,31 Feb *').message).toMatch(/never fire/);
    expect(errorOf('0 0 0 31 Apr,Jun,Sep,Nov *').message).toMatch(/never fire/);
    // Both day fields must match, so a weekday can't rescue it either.
    expect(errorOf('0 0 0 31 Feb Mon').message).toMatch(/never fire/);
  });
});
