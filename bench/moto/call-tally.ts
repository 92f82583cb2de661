/**
 * Counting AWS API calls from what a proxy in front of moto saw: each request as
 * `service:operation` (see test/support/fault-proxy.ts). A proxy counts every
 * request that goes on the wire, SDK retries included, whichever SDK sent it.
 */

/** Calls by service: `{ s3: 2, sns: 1 }`. */
export function byService(calls: readonly string[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const call of calls) {
    const service = call.slice(0, call.indexOf(':'));
    tally[service] = (tally[service] ?? 0) + 1;
  }
  return tally;
}

/** Calls by `service:operation`, for telling where calls go. */
export function byOperation(calls: readonly string[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const call of calls) tally[call] = (tally[call] ?? 0) + 1;
  return tally;
}

/** What the calls of many units (findings, buckets) of one kind came to. */
export interface KindTally {
  readonly units: number;
  /** Calls of the unit that made the most. */
  readonly max: number;
  readonly mean: number;
  /** Per service, the most calls one unit made. */
  readonly maxByService: Record<string, number>;
  /** Every unit's calls together, by `service:operation`. */
  readonly operations: Record<string, number>;
}

/** Sums up each unit's calls by the unit's kind. */
export function tallyByKind(
  units: readonly { readonly kind: string; readonly calls: readonly string[] }[],
): Record<string, KindTally> {
  const grouped = new Map<string, (readonly string[])[]>();
  for (const unit of units) grouped.set(unit.kind, [...(grouped.get(unit.kind) ?? []), unit.calls]);
  const result: Record<string, KindTally> = {};
  for (const [kind, calls] of grouped) {
    const maxByService: Record<string, number> = {};
    for (const unitCalls of calls) {
      for (const [service, count] of Object.entries(byService(unitCalls))) {
        maxByService[service] = Math.max(maxByService[service] ?? 0, count);
      }
    }
    const counts = calls.map((unitCalls) => unitCalls.length);
    result[kind] = {
      units: calls.length,
      max: Math.max(...counts),
      mean: counts.reduce((sum, count) => sum + count, 0) / counts.length,
      maxByService,
      operations: byOperation(calls.flat()),
    };
  }
  return result;
}
