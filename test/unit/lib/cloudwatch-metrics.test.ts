import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchMetricsSink } from '../../../lib/cloudwatch-metrics';

describe('CloudWatchMetricsSink', () => {
  const cloudwatch = mockClient(CloudWatchClient);
  beforeEach(() => cloudwatch.reset());
  afterAll(() => cloudwatch.restore());

  it('sends all counts in one PutMetricData call, summing equal dimension sets', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchMetricsSink('DataClassification', new CloudWatchClient({}));

    await sink.record([
      { name: 'ClassificationViolations', dimensions: { Team: 'a', Severity: 'High' }, count: 1 },
      { name: 'ClassificationViolations', dimensions: { Severity: 'High', Team: 'a' }, count: 2 },
      { name: 'UnroutableAlerts', dimensions: { Reason: 'TopicTagMissing' }, count: 1 },
    ]);

    const calls = cloudwatch.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.Namespace).toBe('DataClassification');
    expect(input?.MetricData?.map((d) => [d.MetricName, d.Dimensions, d.Value, d.Unit])).toEqual([
      [
        'ClassificationViolations',
        [
          { Name: 'Team', Value: 'a' },
          { Name: 'Severity', Value: 'High' },
        ],
        3,
        'Count',
      ],
      ['UnroutableAlerts', [{ Name: 'Reason', Value: 'TopicTagMissing' }], 1, 'Count'],
    ]);
  });

  it('makes no call when there is nothing to record', async () => {
    const sink = new CloudWatchMetricsSink('DataClassification', new CloudWatchClient({}));

    await sink.record([]);

    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('keeps dimension values valid: blank becomes unassigned, long values are cut', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchMetricsSink('DataClassification', new CloudWatchClient({}));

    await sink.record([
      { name: 'M', dimensions: { Team: '  ' }, count: 1 },
      { name: 'M', dimensions: { Team: 't'.repeat(2000) }, count: 1 },
    ]);

    const values = cloudwatch
      .commandCalls(PutMetricDataCommand)[0]
      ?.args[0].input.MetricData?.map((d) => d.Dimensions?.[0]?.Value);
    expect(values?.[0]).toBe('unassigned');
    expect(values?.[1]?.length).toBe(255);
  });

  it('splits more than 1000 datapoints into calls of at most 1000, dropping none', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchMetricsSink('DataClassification', new CloudWatchClient({}));
    const counts = Array.from({ length: 2345 }, (_, i) => ({
      name: 'BucketsInViolation',
      dimensions: { Team: `team-${i}`, Severity: 'High' },
      count: 1,
    }));

    await sink.record(counts);

    const sizes = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .map((call) => call.args[0].input.MetricData?.length);
    expect(sizes).toEqual([1000, 1000, 345]);
  });
});
