/**
 * The metrics sink against moto's CloudWatch: a Team tag value that is not ASCII is
 * recorded under its printable ASCII form, which is what a dashboard then lists.
 */
import { randomUUID } from 'node:crypto';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchMetricsSink } from '../../lib/cloudwatch-metrics';

const cloudWatch = new CloudWatchClient({});

afterAll(() => cloudWatch.destroy());

describe('CloudWatchMetricsSink against moto', () => {
  it('records Team=équipe and lists the metric under Team=equipe-27c6c0ad', async () => {
    const namespace = `DataClassification-${randomUUID().slice(0, 8)}`;
    const sink = new CloudWatchMetricsSink(namespace, cloudWatch);

    await sink.record([
      {
        name: 'ClassificationViolations',
        dimensions: { Team: 'équipe', Severity: 'High' },
        count: 1,
      },
    ]);

    const listed = await cloudWatch.send(new ListMetricsCommand({ Namespace: namespace }));
    expect(listed.Metrics?.map((metric) => [metric.MetricName, metric.Dimensions])).toEqual([
      [
        'ClassificationViolations',
        [
          { Name: 'Team', Value: 'equipe-27c6c0ad' },
          { Name: 'Severity', Value: 'High' },
        ],
      ],
    ]);
  }, 120_000);
});
