import { Logger } from '@aws-lambda-powertools/logger';
import { recordMetricsOnce } from '../../../flows/record-metrics';
import type { MetricCount } from '../../../lib/cloudwatch-metrics';
import { awsError } from '../../support/aws-errors';
import { FakeMetrics } from '../../support/fakes';

const COUNTS: MetricCount[] = [
  { name: 'ClassificationViolations', dimensions: { Team: 'team-a', Severity: 'High' }, count: 1 },
];

/** The ledger's pending counts of one finding. */
class OwedCounts {
  readonly writes: MetricCount[][] = [];
  async setPendingMetrics(_findingId: string, counts: readonly MetricCount[]): Promise<void> {
    this.writes.push([...counts]);
  }
}

function setup(failing?: Error) {
  const metrics = new FakeMetrics();
  metrics.failing = failing;
  const ledger = new OwedCounts();
  const logger = new Logger({ logLevel: 'SILENT' });
  const record = (owed = false) =>
    recordMetricsOnce(metrics, ledger, logger, 'finding-1', COUNTS, owed);
  return { metrics, ledger, logger, record };
}

describe('recordMetricsOnce', () => {
  it('records the counts and owes nothing', async () => {
    const { metrics, ledger, record } = setup();

    await record();

    expect(metrics.calls).toEqual([COUNTS]);
    expect(ledger.writes).toEqual([]);
  });

  it('does not call CloudWatch for no counts', async () => {
    const { metrics, ledger } = setup();

    await recordMetricsOnce(metrics, ledger, new Logger({ logLevel: 'SILENT' }), 'f', [], true);

    expect(metrics.calls).toEqual([]);
    expect(ledger.writes).toEqual([]);
  });

  it('owes nothing unless told the counts were owed', async () => {
    const { metrics, ledger } = setup();

    await recordMetricsOnce(metrics, ledger, new Logger({ logLevel: 'SILENT' }), 'f', COUNTS);

    expect(ledger.writes).toEqual([]);
  });

  it('logs a failure kept for a retry with the finding and the error name', async () => {
    const { logger, record } = setup(awsError('ThrottlingException', 'Rate exceeded'));
    const warn = jest.spyOn(logger, 'warn');

    await expect(record()).rejects.toThrow('Rate exceeded');

    expect(warn).toHaveBeenCalledWith('metrics failed; kept for a retry', {
      findingId: 'finding-1',
      error: 'ThrottlingException',
    });
  });

  it('logs counts no retry can record as metricsNotRecorded, which a log metric filter counts', async () => {
    const { logger, record } = setup(awsError('InvalidParameterValue', 'dimension not ASCII'));
    const error = jest.spyOn(logger, 'error');

    await record();

    expect(error).toHaveBeenCalledWith('metrics not recorded', {
      findingId: 'finding-1',
      metricsNotRecorded: 1,
      error: 'InvalidParameterValue',
      message: 'dimension not ASCII',
    });
  });

  it('clears the counts owed by an earlier invocation once they are recorded', async () => {
    const { ledger, record } = setup();

    await record(true);

    expect(ledger.writes).toEqual([[]]);
  });

  describe('failures a retry can mend: kept with the finding, and the invocation fails', () => {
    it.each([
      ['throttling', awsError('ThrottlingException', 'Rate exceeded')],
      ['a limit exceeded', awsError('LimitExceededException', 'slow down')],
      ['too many requests', awsError('TooManyRequestsException', 'slow down')],
      ['a request timeout', awsError('RequestTimeout', 'timed out')],
      ['a server error', awsError('InternalFailure', 'oops', 'server')],
      [
        'an error the SDK marks retryable',
        Object.assign(awsError('Odd', 'odd'), { $retryable: {} }),
      ],
      [
        'a network error without $fault',
        Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }),
      ],
    ])('%s', async (_, error) => {
      const { ledger, record } = setup(error);

      await expect(record()).rejects.toBe(error);
      expect(ledger.writes).toEqual([COUNTS]);
    });
  });

  describe('failures no retry can mend: logged, and the invocation goes on', () => {
    it('drops the counts of a refused request', async () => {
      const { ledger, record } = setup(awsError('InvalidParameterValue', 'dimension not ASCII'));

      await expect(record()).resolves.toBeUndefined();
      expect(ledger.writes).toEqual([]);
    });

    it('clears counts that were owed, since no retry can record them', async () => {
      const { ledger, record } = setup(awsError('InvalidParameterCombination', 'bad'));

      await record(true);

      expect(ledger.writes).toEqual([[]]);
    });
  });
});
