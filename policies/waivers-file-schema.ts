import { z } from 'zod';
import { withinPatternLimits } from './data-file-limits';

const ACCOUNT_ID = /^\d{12}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// year, month, day, hour, minute, [second, [fraction]], then Z or sign, hours, minutes
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;
const DAY_MS = 24 * 60 * 60 * 1000;

const text = (what: string) => z.string().trim().min(1, 'must not be blank').describe(what);

/** A 12-digit id; unquoted in YAML it is read as a number, which is accepted when it has 12 digits. */
const accountId = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z
    .string()
    .trim()
    .regex(
      ACCOUNT_ID,
      'must be a 12-digit AWS account id (quote it when it starts with 0: unquoted, YAML reads it as a number)',
    ),
);

/** The expiry as written, and the first instant the waiver no longer holds. */
export interface Expiry {
  readonly text: string;
  readonly at: Date;
}

const expiry = z
  .string()
  .trim()
  .transform((value, ctx): Expiry => {
    const at = expiryInstant(value);
    if (at === 'malformed') {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a date YYYY-MM-DD or an ISO timestamp with a time zone, e.g. 2026-06-30 or 2026-06-30T17:00:00Z',
      });
      return z.NEVER;
    }
    if (at === 'not-in-calendar') {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a date in the calendar` });
      return z.NEVER;
    }
    return { text: value, at };
  })
  .describe('Last day (UTC) the waiver holds, YYYY-MM-DD, or the ISO timestamp it ends at.');

const waiver = z.strictObject({
  bucket: withinPatternLimits(text('A bucket name, or a pattern with * such as acme-analytics-*.')),
  account: accountId.optional().describe('Limits the waiver to buckets of this account.'),
  types: z
    .array(
      withinPatternLimits(
        text('A managed identifier id, a pattern with *, or a custom identifier name.'),
      ),
    )
    .min(1, 'must name at least one data type'),
  reason: text('Why the data may stay there for now.'),
  ticket: text('The ticket that tracks the exception.'),
  approver: text('Who in central security granted it.'),
  expires: expiry,
});

/**
 * The waivers file as people write it. Unknown keys are errors, so a typo is
 * reported rather than silently ignored.
 */
export const waiversFileSchema = z
  .strictObject({
    waivers: z.array(waiver),
  })
  .describe('Time-limited exceptions: data types accepted in some buckets until a date.');

export type WaiversFile = z.output<typeof waiversFileSchema>;

/**
 * The first instant an expiry no longer holds: the midnight (UTC) after a date,
 * the instant itself for a timestamp.
 */
function expiryInstant(value: string): Date | 'malformed' | 'not-in-calendar' {
  const date = DATE.exec(value);
  if (date) {
    const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
    if (!isCalendarDate(year, month, day)) return 'not-in-calendar';
    return new Date(Date.UTC(year, month - 1, day) + DAY_MS);
  }
  const timestamp = TIMESTAMP.exec(value);
  if (!timestamp) return 'malformed';
  const part = (index: number): number => Number(timestamp[index] ?? 0);
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = [
    1, 2, 3, 4, 5, 6, 9, 10,
  ].map(part) as [number, number, number, number, number, number, number, number];
  if (
    !isCalendarDate(year, month, day) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHour > 23 ||
    offsetMinute > 59
  ) {
    return 'not-in-calendar';
  }
  const milliseconds = Math.floor(Number(`0.${timestamp[7] ?? 0}`) * 1000);
  const offsetSign = timestamp[8] === '-' ? -1 : 1;
  const offsetMs = offsetSign * (offsetHour * 60 + offsetMinute) * 60_000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, milliseconds) - offsetMs);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}
