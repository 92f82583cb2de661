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
const MAX_DIMENSION_VALUE = 255;

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
        Object.entries(count.dimensions).map(([name, value]) => [name, dimensionValue(value)]),
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

/** Dimension values must be 1-255 characters here (CloudWatch allows 1024; shorter reads better). */
function dimensionValue(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') return 'unassigned';
  return trimmed.length > MAX_DIMENSION_VALUE ? trimmed.slice(0, MAX_DIMENSION_VALUE) : trimmed;
}
