/**
 * checkBucketTags' periodic sweep (a ScheduledNotification) over 1,000 and then
 * 10,000 tagged buckets in moto: buckets per second, AWS API calls per bucket, and
 * how the time grows with the number of buckets (linear growth gives 10).
 *
 * Each size is swept twice: once against moto directly, timed; once through a
 * proxy that counts every request. Every part of a sweep that hands itself over
 * (see lib/lambda-sweep-handover.ts) is run and counted.
 */

import { byOperation } from '../moto/call-tally';
import { withMoto } from '../moto/server';
import { runSweep, type SweepRun } from '../moto/sweep';
import { isCompliantSweepBucket, sweepEstate } from '../moto/sweep-buckets';
import { round } from '../percentiles';
import type { BenchContext, BenchSection } from '../section';

const SIZES = [1000, 10_000] as const;
export const SCALING_BUDGET = 12;

/** The figures of one size from its timed and its counted sweep. */
export function sizeFigures(buckets: number, timed: SweepRun, counted: SweepRun) {
  const failing = Array.from({ length: buckets }, (_, i) => i).filter(
    (i) => !isCompliantSweepBucket(i),
  ).length;
  for (const run of [timed, counted]) {
    if (run.evaluations < buckets) {
      throw new Error(`a sweep of ${buckets} buckets reported only ${run.evaluations} evaluations`);
    }
    if (run.nonCompliant !== failing) {
      throw new Error(
        `a sweep of ${buckets} buckets found ${run.nonCompliant} non-compliant; ${failing} are`,
      );
    }
  }
  const calls = counted.calls ?? [];
  return {
    seconds: round(timed.seconds, 3),
    bucketsPerSecond: round(buckets / timed.seconds, 1),
    apiCallsPerBucket: round(calls.length / buckets, 3),
    parts: timed.parts,
    nonCompliant: timed.nonCompliant,
    apiCalls: byOperation(calls),
  };
}

async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  return withMoto(ctx, async (moto) => {
    const estate = await sweepEstate(moto.endpoint);
    const periodic: Record<string, ReturnType<typeof sizeFigures>> = {};
    for (const buckets of SIZES) {
      ctx.log(`creating buckets up to ${buckets}`);
      await estate.grow(buckets);
      ctx.log(`sweeping ${buckets} buckets`);
      const timed = await runSweep(moto.endpoint);
      const counted = await runSweep(moto.endpoint, true);
      periodic[buckets] = sizeFigures(buckets, timed, counted);
    }
    const small = periodic[SIZES[0]];
    const large = periodic[SIZES[1]];
    const scaling = small && large ? round(large.seconds / small.seconds) : Number.NaN;
    return { periodic: { ...periodic, scaling } };
  });
}

export const configRuleSection: BenchSection = {
  name: 'configRule',
  run,
  budgets: [
    {
      key: 'configRule.periodic.scaling',
      check: (value) =>
        typeof value === 'number' && value <= SCALING_BUDGET
          ? undefined
          : `a sweep of 10,000 buckets took ${String(value)} times as long as one of 1,000; the budget is ${SCALING_BUDGET}`,
    },
  ],
};
