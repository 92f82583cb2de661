/** The metrics integration tests read back from moto's CloudWatch. */
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/**
 * How many violations `team` has at `severity` in `namespace`: the sum of
 * `ClassificationViolations` from an hour ago to an hour ahead.
 */
export async function violationCount(
  cloudwatch: CloudWatchClient,
  namespace: string,
  team: string,
  severity: string,
): Promise<number> {
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 3_600_000),
      MetricDataQueries: [
        {
          Id: 'violations',
          MetricStat: {
            Metric: {
              Namespace: namespace,
              MetricName: 'ClassificationViolations',
              Dimensions: [
                { Name: 'Team', Value: team },
                { Name: 'Severity', Value: severity },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return (MetricDataResults[0]?.Values ?? []).reduce((sum, value) => sum + value, 0);
}
