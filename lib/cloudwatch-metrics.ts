import { createHash } from 'node:crypto';
import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';

export interface MetricCount {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly count: number;
}

/** Port: records counts. */
export interface MetricsSink {
  record(counts: readonly MetricCount[]): Promise<void>;
}

/** CloudWatch takes at most this many datapoints per PutMetricData call. */
export const MAX_DATUMS = 1000;

/**
 * Records counts with PutMetricData, same dimensions summed: one call for the
 * counts of an invocation, or as many calls of at most {@link MAX_DATUMS}
 * datapoints as a larger batch needs (none is dropped).
 */
export class CloudWatchMetricsSink implements MetricsSink {
  constructor(
    private readonly namespace: string,
    private readonly client: CloudWatchClient = new CloudWatchClient({}),
  ) {}

  async record(counts: readonly MetricCount[]): Promise<void> {
    const merged = new Map<string, MetricCount>();
    for (const count of counts) {
      const dimensions = Object.fromEntries(
        Object.entries(count.dimensions).map(([name, value]) => [
          name,
          metricDimensionValue(name, value),
        ]),
      );
      const key = JSON.stringify([count.name, Object.entries(dimensions).sort()]);
      const seen = merged.get(key);
      merged.set(
        key,
        seen ? { ...seen, count: seen.count + count.count } : { ...count, dimensions },
      );
    }
    const timestamp = new Date();
    const data = [...merged.values()].map((count) => ({
      MetricName: count.name,
      Dimensions: Object.entries(count.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Value: count.count,
      Unit: StandardUnit.Count,
      Timestamp: timestamp,
    }));
    for (let start = 0; start < data.length; start += MAX_DATUMS) {
      await this.client.send(
        new PutMetricDataCommand({
          Namespace: this.namespace,
          MetricData: data.slice(start, start + MAX_DATUMS),
        }),
      );
    }
  }
}

/** Dimension values are at most this long here (CloudWatch allows 1024; shorter reads better). */
const MAX_DIMENSION_VALUE = 255;
/** Hex digits of the SHA-256 of the value that mark a value changed on the way. */
const HASH_LENGTH = 8;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * A tag value as a CloudWatch dimension value: printable ASCII (CloudWatch refuses
 * anything else), at most 255 characters, the same for the same input every time,
 * and different for different inputs. Tag values may be any Unicode, and a team's
 * metrics must neither fail nor merge with another team's.
 *
 * The rule:
 * 1. Leading and trailing white space is dropped; a blank value is `unassigned`.
 * 2. A value of printable ASCII (U+0020 to U+007E) of at most 255 characters is
 *    kept as it is: `payments`, `Team A`.
 * 3. Any other value is transliterated and marked with a hash: NFKD, combining
 *    marks removed, each run of what is still not printable ASCII (CJK, emoji,
 *    control characters) replaced by `-`, `-` and spaces trimmed at both ends, cut so
 *    the whole fits in 255; then `-` and the first 8 hex digits of the SHA-256 of the
 *    trimmed value's UTF-16 code units (little-endian, as JavaScript holds the
 *    string, so even lone surrogates stay apart). With nothing readable left, the
 *    dimension's name in lower case stands in (`team`). The hash keeps a changed
 *    value apart from the plain value it resembles (`équipe` is not `equipe`) and
 *    from other changed values: two inputs share an output only if their trimmed
 *    values are equal or their 32-bit hashes collide.
 *
 * @example
 * metricDimensionValue('Team', 'payments') // 'payments'
 * metricDimensionValue('Team', '  ')       // 'unassigned'
 * metricDimensionValue('Team', 'équipe')   // 'equipe-27c6c0ad'
 * metricDimensionValue('Team', '团队')      // 'team-4c9161c3'
 */
export function metricDimensionValue(name: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') return 'unassigned';
  if (PRINTABLE_ASCII.test(trimmed) && trimmed.length <= MAX_DIMENSION_VALUE) return trimmed;
  const hash = createHash('sha256').update(trimmed, 'utf16le').digest('hex').slice(0, HASH_LENGTH);
  const readable = trimmed
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]+/g, '-')
    .slice(0, MAX_DIMENSION_VALUE - HASH_LENGTH - 1)
    .replace(/^[-\s]+|[-\s]+$/g, '');
  const fallback =
    PRINTABLE_ASCII.test(name) && name.trim() !== '' ? name.trim().toLowerCase() : 'value';
  return `${readable === '' ? fallback : readable}-${hash}`;
}
