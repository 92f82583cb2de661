import {
  type Evaluation as ConfigEvaluation,
  ConfigServiceClient,
  PutEvaluationsCommand,
  type PutEvaluationsCommandInput,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConfigEvaluationReporter,
  type Evaluation,
  EvaluationsRejectedError,
} from '../../../lib/config-evaluations';
import { awsError } from '../../support/aws-errors';

const RESULT_TOKEN = 'TESTMODE';
const CAPTURED = new Date('2024-05-15T11:02:45.903Z');

function evaluation(id: string, extra: Partial<Evaluation> = {}): Evaluation {
  return {
    resourceType: 'AWS::S3::Bucket',
    resourceId: id,
    compliance: 'COMPLIANT',
    orderingTimestamp: CAPTURED,
    ...extra,
  };
}

/** `count` evaluations for buckets `b-0` .. `b-<count - 1>`. */
function evaluations(count: number): Evaluation[] {
  return Array.from({ length: count }, (_, index) => evaluation(`b-${index}`));
}

describe('ConfigEvaluationReporter', () => {
  const config = mockClient(ConfigServiceClient);
  beforeEach(() => config.reset());
  afterAll(() => config.restore());

  /** The input of every PutEvaluations call, in order. */
  function sent(): PutEvaluationsCommandInput[] {
    return config.commandCalls(PutEvaluationsCommand).map((call) => call.args[0].input);
  }

  /** The resource ids of every call, one array per call. */
  function sentIds(): (string | undefined)[][] {
    return sent().map((input) => (input.Evaluations ?? []).map((e) => e.ComplianceResourceId));
  }

  /** Config answers every call, listing as failed the evaluations `fails` picks. */
  function configFailing(fails: (evaluation: ConfigEvaluation) => boolean): void {
    config.on(PutEvaluationsCommand).callsFake((input: PutEvaluationsCommandInput) => ({
      FailedEvaluations: (input.Evaluations ?? []).filter(fails),
    }));
  }

  it.each([
    [0, []],
    [1, [1]],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('sends %i evaluation(s) in batches of %j', async (count, sizes) => {
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    await reporter.report(evaluations(count), RESULT_TOKEN);

    expect(sentIds().map((ids) => ids.length)).toEqual(sizes);
  });

  it('sends every evaluation once, in the order given', async () => {
    config.on(PutEvaluationsCommand).resolves({});
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));
    const all = evaluations(250);

    await reporter.report(all, RESULT_TOKEN);

    expect(sentIds().flat()).toEqual(all.map((e) => e.resourceId));
  });

  it('makes no call for an empty list', async () => {
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    await reporter.report([], RESULT_TOKEN);

    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  it('sends the result token with every call, retries included', async () => {
    config
      .on(PutEvaluationsCommand)
      .resolvesOnce({ FailedEvaluations: [{ ComplianceResourceId: 'b-0' } as ConfigEvaluation] })
      .resolves({});
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    await reporter.report(evaluations(150), 'opaque-token');

    expect(sent().map((input) => input.ResultToken)).toEqual([
      'opaque-token',
      'opaque-token',
      'opaque-token',
    ]);
  });

  it('sends the TESTMODE result token in test mode, retries included', async () => {
    config
      .on(PutEvaluationsCommand)
      .resolvesOnce({ FailedEvaluations: [{ ComplianceResourceId: 'b-0' } as ConfigEvaluation] })
      .resolves({});
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    await reporter.report(evaluations(150), 'TESTMODE');

    expect(sent().map((input) => [input.ResultToken, input.TestMode])).toEqual([
      ['TESTMODE', true],
      ['TESTMODE', true],
      ['TESTMODE', true],
    ]);
  });

  it.each(['opaque-token', 'testmode', 'TESTMODE '])(
    'leaves test mode off for the result token %j',
    async (token) => {
      config.on(PutEvaluationsCommand).resolves({});
      const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

      await reporter.report(evaluations(1), token);

      expect(sent()[0]).not.toHaveProperty('TestMode');
    },
  );

  it('maps an evaluation to the PutEvaluations shape', async () => {
    config.on(PutEvaluationsCommand).resolves({});
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    await reporter.report(
      [
        evaluation('team-a-scratch', {
          compliance: 'NON_COMPLIANT',
          annotation: 'DataClassification "TopSecret" is not a level',
        }),
      ],
      RESULT_TOKEN,
    );

    expect(sent()[0]?.Evaluations).toStrictEqual([
      {
        ComplianceResourceType: 'AWS::S3::Bucket',
        ComplianceResourceId: 'team-a-scratch',
        ComplianceType: 'NON_COMPLIANT',
        OrderingTimestamp: CAPTURED,
        Annotation: 'DataClassification "TopSecret" is not a level',
      },
    ]);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
  ])(
    'omits the annotation when it is %s, as Config rejects an empty one',
    async (_, annotation) => {
      config.on(PutEvaluationsCommand).resolves({});
      const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));
      const input: Evaluation = {
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'team-a-old-exports',
        compliance: 'NOT_APPLICABLE',
        orderingTimestamp: CAPTURED,
        ...(annotation === undefined ? {} : { annotation }),
      };

      await reporter.report([input], RESULT_TOKEN);

      expect(sent()[0]?.Evaluations).toStrictEqual([
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: 'team-a-old-exports',
          ComplianceType: 'NOT_APPLICABLE',
          OrderingTimestamp: CAPTURED,
        },
      ]);
    },
  );

  it('sends the evaluations Config listed as failed once more, and only those', async () => {
    const seen = new Set<string | undefined>();
    configFailing((e) => {
      const firstTime = !seen.has(e.ComplianceResourceId);
      seen.add(e.ComplianceResourceId);
      return firstTime && (e.ComplianceResourceId === 'b-1' || e.ComplianceResourceId === 'b-3');
    });
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    await expect(reporter.report(evaluations(5), RESULT_TOKEN)).resolves.toBeUndefined();

    expect(sentIds()).toEqual([
      ['b-0', 'b-1', 'b-2', 'b-3', 'b-4'],
      ['b-1', 'b-3'],
    ]);
  });

  it('throws EvaluationsRejectedError naming type/id when an evaluation fails twice', async () => {
    configFailing((e) => e.ComplianceResourceId === 'b-2');
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    const error = await reporter.report(evaluations(3), RESULT_TOKEN).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EvaluationsRejectedError);
    expect((error as EvaluationsRejectedError).rejected).toEqual(['AWS::S3::Bucket/b-2']);
    expect((error as EvaluationsRejectedError).message).toBe(
      'AWS Config rejected 1 evaluation(s) twice: AWS::S3::Bucket/b-2',
    );
    expect(sentIds()).toEqual([['b-0', 'b-1', 'b-2'], ['b-2']]);
  });

  it('sends the later batches before throwing, and names the rejects of every batch', async () => {
    configFailing((e) => e.ComplianceResourceId === 'b-5' || e.ComplianceResourceId === 'b-205');
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({}));

    const error = await reporter.report(evaluations(250), RESULT_TOKEN).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EvaluationsRejectedError);
    expect((error as EvaluationsRejectedError).rejected).toEqual([
      'AWS::S3::Bucket/b-5',
      'AWS::S3::Bucket/b-205',
    ]);
    expect(sentIds().map((ids) => ids.length)).toEqual([100, 1, 100, 50, 1]);
    expect(sentIds()[1]).toEqual(['b-5']);
    expect(sentIds()[4]).toEqual(['b-205']);
  });

  it('counts refusals of earlier sweep parts in the message when told of them', () => {
    const error = new EvaluationsRejectedError(['AWS::S3::Bucket/b-2'], 3);

    expect(error.total).toBe(3);
    expect(error.message).toBe(
      'AWS Config rejected 3 evaluation(s) twice: AWS::S3::Bucket/b-2 (2 in earlier parts of the sweep, named in their logs)',
    );
  });

  it('says how many were refused when none of them is known by name here', () => {
    expect(new EvaluationsRejectedError([], 4).message).toBe(
      'AWS Config rejected 4 evaluation(s) twice (4 in earlier parts of the sweep, named in their logs)',
    );
  });

  it('lets an error that outlasts the SDK retries fail the report', async () => {
    config
      .on(PutEvaluationsCommand)
      .rejects(awsError('ThrottlingException', 'ThrottlingException from Config'));
    const reporter = new ConfigEvaluationReporter(new ConfigServiceClient({ maxAttempts: 3 }));

    await expect(reporter.report(evaluations(250), RESULT_TOKEN)).rejects.toThrow(
      'ThrottlingException from Config',
    );
    expect(config.commandCalls(PutEvaluationsCommand)).toHaveLength(1);
  });
});
