import { ConfigEventError } from './errors';
import * as z from './zod-mini';

/**
 * A periodic sweep that cannot finish within one invocation hands the rest to a
 * fresh invocation of the same function: the Config event it started from,
 * unchanged (its result token, rule name and notification time, which is every
 * evaluation's ordering timestamp), plus this marker under {@link CONTINUATION_KEY}.
 * The marker only says where to go on, so the payload stays a few hundred bytes
 * however many buckets there are.
 */
export const CONTINUATION_KEY = 'sweepContinuation';

/**
 * The most parts one sweep may have. Every part judges at least one batch, and
 * normally thousands of buckets, so a sweep of S3's largest bucket quota (a
 * million) needs far fewer; reaching it means something is wrong, and the
 * function stops rather than invoke itself for ever.
 */
export const MAX_SWEEP_PARTS = 1000;

/** Where the sweep goes on. */
export type SweepStep =
  /**
   * Judging buckets: the `ListBuckets` page that starts at `pageToken` (the first
   * page without one), of which `done` buckets are judged, the last being
   * `lastBucket`.
   */
  | {
      readonly stage: 'buckets';
      readonly pageToken?: string;
      readonly done: number;
      readonly lastBucket?: string;
    }
  /** Every bucket judged: clear the results of buckets S3 no longer lists. */
  | { readonly stage: 'cleanup' };

export interface SweepContinuation {
  /** The part this invocation is: 2 for the first continuation. */
  readonly part: number;
  readonly next: SweepStep;
  /** Evaluations Config refused in earlier parts: the last part fails when there are any. */
  readonly refused: number;
}

const bucketsStep = z.strictObject({
  stage: z.literal('buckets'),
  // S3: a continuation token is at most 1024 characters; a bucket name at most 255
  // (63 since 2018, longer ones survive in us-east-1).
  pageToken: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  done: z.int().check(z.gte(0), z.lte(10_000)),
  lastBucket: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
});

const continuation = z.strictObject({
  part: z.int().check(z.gte(2), z.lte(MAX_SWEEP_PARTS)),
  next: z.discriminatedUnion('stage', [
    bucketsStep,
    z.strictObject({ stage: z.literal('cleanup') }),
  ]),
  refused: z.int().check(z.gte(0)),
});

/**
 * The continuation marker of an event, or `undefined` when the event is how
 * Config starts a sweep. The marker comes from this function itself, but the
 * function may be invoked by anyone allowed to, so it is checked like any input.
 *
 * @param messageKind the kind of the event's `invokingEvent`: only a periodic run
 *   (`scheduled`) is ever continued.
 * @throws ConfigEventError naming each problem as `sweepContinuation.path: problem`.
 */
export function parseSweepContinuation(
  event: unknown,
  messageKind: string,
): SweepContinuation | undefined {
  if (typeof event !== 'object' || event === null || !(CONTINUATION_KEY in event)) {
    return undefined;
  }
  if (messageKind !== 'scheduled') {
    throw new ConfigEventError(
      `malformed sweep continuation: ${CONTINUATION_KEY} continues a periodic run (ScheduledNotification), not a ${messageKind} message`,
    );
  }
  const marker = (event as Record<string, unknown>)[CONTINUATION_KEY];
  const parsed = continuation.safeParse(marker, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigEventError(
      'malformed sweep continuation',
      parsed.error.issues.map((issue) => {
        const path = [CONTINUATION_KEY, ...issue.path.map(String)].join('.');
        const problem =
          issue.code !== 'custom' && issue.input === undefined ? 'is required' : issue.message;
        return `${path}: ${problem.replace(/^Invalid input: /, '')}`;
      }),
    );
  }
  return parsed.data;
}

/** The event for the next part: the original event with the marker set. */
export function continuationEvent(
  event: Readonly<Record<string, unknown>>,
  marker: SweepContinuation,
): Record<string, unknown> {
  return { ...event, [CONTINUATION_KEY]: marker };
}
