import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { CloudWatchMetricsSink, metricDimensionValue } from '../../../lib/cloudwatch-metrics';

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

  it('sends a Team tag value that is not ASCII as its printable ASCII form', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchMetricsSink('DataClassification', new CloudWatchClient({}));

    await sink.record([
      {
        name: 'ClassificationViolations',
        dimensions: { Team: 'équipe', Severity: 'High' },
        count: 1,
      },
    ]);

    const dimensions =
      cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input.MetricData?.[0]?.Dimensions;
    expect(dimensions).toEqual([
      { Name: 'Team', Value: 'equipe-27c6c0ad' },
      { Name: 'Severity', Value: 'High' },
    ]);
  });

  it('keeps the counts of two teams apart when their names differ only by accents', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchMetricsSink('DataClassification', new CloudWatchClient({}));

    await sink.record([
      { name: 'M', dimensions: { Team: 'équipe' }, count: 1 },
      { name: 'M', dimensions: { Team: 'equipe' }, count: 2 },
    ]);

    const sent = cloudwatch
      .commandCalls(PutMetricDataCommand)[0]
      ?.args[0].input.MetricData?.map((d) => [d.Dimensions?.[0]?.Value, d.Value]);
    expect(sent).toEqual([
      ['equipe-27c6c0ad', 1],
      ['equipe', 2],
    ]);
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

describe('metricDimensionValue', () => {
  it.each([['payments'], ['Team A (EU) #2']])('keeps printable ASCII as it is: %s', (value) => {
    expect(metricDimensionValue('Team', value)).toBe(value);
  });

  it('keeps printable ASCII of exactly 255 characters as it is', () => {
    expect(metricDimensionValue('Team', 't'.repeat(255))).toBe('t'.repeat(255));
  });

  it.each([['  payments  '], ['\tpayments\n'], ['\u00a0payments\u3000']])(
    'drops leading and trailing white space: %j',
    (value) => {
      expect(metricDimensionValue('Team', value)).toBe('payments');
    },
  );

  it.each([[''], ['   '], ['\t\n']])('calls a blank value %j unassigned', (value) => {
    expect(metricDimensionValue('Team', value)).toBe('unassigned');
  });

  it('removes accents and marks the value with its hash', () => {
    expect(metricDimensionValue('Team', 'équipe')).toBe('equipe-27c6c0ad');
  });

  it('turns full-width letters into ASCII letters, with the hash', () => {
    expect(metricDimensionValue('Team', 'Ｐａｙｍｅｎｔｓ')).toBe('Payments-b63b3831');
  });

  it('names a value with nothing readable in ASCII (CJK) after the dimension, with the hash', () => {
    expect(metricDimensionValue('Team', '团队')).toBe('team-4c9161c3');
  });

  it('names an emoji-only value after the dimension, with the hash', () => {
    expect(metricDimensionValue('Team', '🚀')).toBe('team-4a883d06');
  });

  it('keeps the readable part of a value with an emoji in it', () => {
    expect(metricDimensionValue('Team', '🚀 rockets')).toBe('rockets-1dc044a7');
  });

  it.each([
    ['a\u0007b', 'a-b-b4c4a8eb'],
    ['a\tb', 'a-b-7cea7e96'],
  ])('replaces control characters inside %j with a dash, with the hash', (value, expected) => {
    expect(metricDimensionValue('Team', value)).toBe(expected);
  });

  it('cuts a value longer than 255 characters to 255, the hash included', () => {
    expect(metricDimensionValue('Team', 't'.repeat(2000))).toBe(`${'t'.repeat(246)}-fb03c567`);
  });

  it('keeps two long values that share their first 255 characters apart', () => {
    const first = metricDimensionValue('Team', 't'.repeat(2000));

    const second = metricDimensionValue('Team', 't'.repeat(2001));

    expect(first).not.toBe(second);
  });

  const anyUnicode = fc.string({ unit: 'binary', maxLength: 300 });
  const printableAscii = /^[\x20-\x7e]{1,255}$/;

  it('gives printable ASCII of 1 to 255 characters for any string', () => {
    fc.assert(
      fc.property(anyUnicode, (value) => {
        expect(metricDimensionValue('Team', value)).toMatch(printableAscii);
      }),
    );
  });

  it('gives the same output for the same input every time', () => {
    fc.assert(
      fc.property(anyUnicode, (value) => {
        expect(metricDimensionValue('Team', value)).toBe(metricDimensionValue('Team', value));
      }),
    );
  });

  it('gives different outputs for inputs that differ once trimmed', () => {
    const distinctValues = fc.uniqueArray(
      anyUnicode.filter((value) => value.trim() !== ''),
      { minLength: 2, maxLength: 200, selector: (value) => value.trim() },
    );
    fc.assert(
      fc.property(distinctValues, (values) => {
        const outputs = values.map((value) => metricDimensionValue('Team', value));

        expect(new Set(outputs).size).toBe(values.length);
      }),
    );
  });
});
