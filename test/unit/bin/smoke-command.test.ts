import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parseFinding, tagsOfFinding } from '../../../lib/macie-finding';
import { DEFAULT_TAG_KEYS } from '../../../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../../policies/load-policy';
import { evaluateFinding } from '../../../rules/verdict';
import { awsError } from '../../support/aws-errors';
import { runCli as run } from '../../support/cli';
import { type ClearedEnv, clearEnv } from '../../support/env';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CENTRAL = `arn:aws:sns:${REGION}:${ACCOUNT}:bucket-classification-validator-dev-security-alerts`;
const TEAM_TOPIC = 'arn:aws:sns:eu-west-1:444455556666:payments-alerts';
const DEV_FUNCTION = 'bucket-classification-validator-dev-validateFinding';

const ENV_VARIABLES = [
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_EC2_METADATA_DISABLED',
  'CLASSIFICATION_TAG_KEY',
  'TOPIC_TAG_KEY',
  'TEAM_TAG_KEY',
] as const;

const lambda = mockClient(LambdaClient);
const sts = mockClient(STSClient);
let env: ClearedEnv;

beforeEach(() => {
  env = clearEnv(ENV_VARIABLES);
  // Should anything reach for AWS after all, it meets a closed local port, not the network.
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  lambda.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
});

afterEach(() => {
  env.restore();
});

/** What Lambda answers for a synchronous invocation whose function returned (or threw) `reply`. */
function answer(reply: unknown, extra: Partial<InvokeCommandOutput> = {}): InvokeCommandOutput {
  return {
    $metadata: {},
    StatusCode: 200,
    Payload: new TextEncoder().encode(JSON.stringify(reply)),
    ...extra,
  } as InvokeCommandOutput;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The one Invoke call made, and the event it carried. */
function invoked() {
  const calls = lambda.commandCalls(InvokeCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]?.args[0].input;
  const event = JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString('utf8')) as unknown;
  return { input, event };
}

describe('bucket-classification smoke', () => {
  describe('when the notice goes out', () => {
    beforeEach(() => {
      lambda.on(InvokeCommand).resolves(
        answer({
          outcome: 'sample',
          severity: 'Critical',
          topics: [CENTRAL],
          fallback: 'TopicTagMissing',
        }),
      );
    });

    it('invokes the dev stage function synchronously, with its log tail, and reports the topic', async () => {
      const { code, stdout, stderr } = await run('smoke', '--region', REGION);

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toBe(
        `${DEV_FUNCTION} (${REGION}) judged the sample finding (bucket bucket-classification-smoke-test, USA_SOCIAL_SECURITY_NUMBER at Public): Critical.\n` +
          "Notice sent to: (not the team's topic: TopicTagMissing)\n" +
          `  ${CENTRAL}\n` +
          'Recorded: nothing. Sample findings stay out of the ledger and the metrics.\n',
      );
      const { input } = invoked();
      expect(input).toMatchObject({
        FunctionName: DEV_FUNCTION,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
      });
    });

    it('sends a sample finding event that the parser accepts and the policy judges a violation', async () => {
      await run('smoke', '--region', REGION);

      const { event } = invoked();
      const { finding, envelope } = parseFinding(event);
      expect(envelope).toMatchObject({ account: ACCOUNT, region: REGION });
      expect(finding).toMatchObject({
        sample: true,
        archived: false,
        accountId: ACCOUNT,
        region: REGION,
        partition: 'aws',
        type: 'SensitiveData:S3Object/Personal',
      });
      expect(finding.id).toMatch(/^[0-9a-f]{32}$/);
      const tags = tagsOfFinding(finding) ?? {};
      expect(tags).toEqual({ DataClassification: 'Public', Team: 'smoke-test' });
      const verdict = evaluateFinding(
        finding,
        tags,
        loadPolicy(DEFAULT_POLICY_FILE),
        DEFAULT_TAG_KEYS,
      );
      expect(verdict).toMatchObject({ kind: 'violation', severity: 'Critical', sample: true });
    });

    it('takes the region from AWS_REGION and the function from --stage', async () => {
      process.env.AWS_REGION = 'us-east-2';

      const { code } = await run('smoke', '--stage', 'prod');

      expect(code).toBe(0);
      expect(invoked().input?.FunctionName).toBe(
        'bucket-classification-validator-prod-validateFinding',
      );
      expect(await lambda.call(0).thisValue.config.region()).toBe('us-east-2');
    });

    it('invokes the function --function names', async () => {
      await run('smoke', '--region', REGION, '--function', 'my-validator');

      expect(invoked().input?.FunctionName).toBe('my-validator');
    });

    it("with --topic, names the team's topic in the bucket's tags, in the topic's account", async () => {
      const { code } = await run('smoke', '--region', REGION, '--topic', TEAM_TOPIC);

      expect(code).toBe(0);
      const { finding } = parseFinding(invoked().event);
      expect(finding.accountId).toBe('444455556666');
      expect(tagsOfFinding(finding)).toEqual({
        DataClassification: 'Public',
        Team: 'smoke-test',
        SupportSNSTopic: TEAM_TOPIC,
      });
      expect(sts.commandCalls(GetCallerIdentityCommand)).toEqual([]);
    });

    it('tags the bucket with the keys the functions read', async () => {
      process.env.CLASSIFICATION_TAG_KEY = 'data-class';
      process.env.TEAM_TAG_KEY = 'owner';

      await run('smoke', '--region', REGION);

      expect(tagsOfFinding(parseFinding(invoked().event).finding)).toEqual({
        'data-class': 'Public',
        owner: 'smoke-test',
      });
    });

    it('names no fallback when the team topic took the notice', async () => {
      lambda
        .on(InvokeCommand)
        .resolves(answer({ outcome: 'sample', severity: 'Critical', topics: [TEAM_TOPIC] }));

      const { code, stdout } = await run('smoke', '--region', REGION, '--topic', TEAM_TOPIC);

      expect(code).toBe(0);
      expect(stdout).toContain(`Notice sent to:\n  ${TEAM_TOPIC}\n`);
    });
  });

  describe('when the function ran but sent no notice', () => {
    it('exits 1 on a FunctionError, with the error and the end of the log', async () => {
      lambda.on(InvokeCommand).resolves(
        answer(
          {
            errorType: 'Error',
            errorMessage: `SECURITY_TOPIC_ARN ${CENTRAL} refused the notice (AuthorizationErrorException)`,
          },
          {
            FunctionError: 'Unhandled',
            LogResult: base64('START RequestId: 1\nERROR refused\nEND RequestId: 1\n'),
          },
        ),
      );

      const { code, stdout, stderr } = await run('smoke', '--region', REGION);

      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `bucket-classification: ${DEV_FUNCTION} (${REGION}) failed (Unhandled): Error: SECURITY_TOPIC_ARN ${CENTRAL} refused the notice (AuthorizationErrorException)\n` +
          'The end of its log:\n  START RequestId: 1\n  ERROR refused\n  END RequestId: 1\n',
      );
    });

    it('exits 1 when the deployed policy judged the sample compliant', async () => {
      lambda.on(InvokeCommand).resolves(answer({ outcome: 'sample', severity: '-', topics: [] }));

      const { code, stderr } = await run('smoke', '--region', REGION);

      expect(code).toBe(1);
      expect(stderr).toContain('judged the sample finding compliant and sent no notice');
    });

    it('exits 1 when the function did not treat the finding as a sample', async () => {
      lambda
        .on(InvokeCommand)
        .resolves(answer({ outcome: 'unprocessable', reason: 'malformed Macie finding' }));

      const { code, stderr } = await run('smoke', '--region', REGION);

      expect(code).toBe(1);
      expect(stderr).toBe(
        `bucket-classification: ${DEV_FUNCTION} (${REGION}) did not take the sample finding as a sample: it answered "unprocessable" (malformed Macie finding)\n`,
      );
    });

    it('exits 1 when the reply is not an outcome at all', async () => {
      lambda.on(InvokeCommand).resolves(answer(null));

      const { code, stderr } = await run('smoke', '--region', REGION);

      expect(code).toBe(1);
      expect(stderr).toContain('answered something other than a finding outcome: null');
    });
  });

  describe('when the function cannot be invoked', () => {
    it('exits 2 naming the function and region that were not found', async () => {
      lambda
        .on(InvokeCommand)
        .rejects(awsError('ResourceNotFoundException', `Function not found: ${DEV_FUNCTION}`));

      const { code, stdout, stderr } = await run('smoke', '--region', REGION);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `bucket-classification: function ${DEV_FUNCTION} (${REGION}) not found: deploy the stack to that stage and region, or name the function with --function\n`,
      );
    });

    it('exits 2 naming any other AWS error', async () => {
      lambda
        .on(InvokeCommand)
        .rejects(
          awsError('AccessDeniedException', 'not authorized to perform: lambda:InvokeFunction'),
        );

      const { code, stderr } = await run('smoke', '--region', REGION);

      expect(code).toBe(2);
      expect(stderr).toBe(
        `bucket-classification: smoke: could not invoke ${DEV_FUNCTION} (${REGION}): AccessDeniedException: not authorized to perform: lambda:InvokeFunction\n`,
      );
    });

    it("exits 2 when the caller's account cannot be read, before invoking anything", async () => {
      sts
        .on(GetCallerIdentityCommand)
        .rejects(awsError('ExpiredToken', 'The security token expired'));

      const { code, stderr } = await run('smoke', '--region', REGION);

      expect(code).toBe(2);
      expect(stderr).toContain(
        "could not look up the caller's account (STS GetCallerIdentity): ExpiredToken",
      );
      expect(lambda.commandCalls(InvokeCommand)).toEqual([]);
    });
  });

  describe('usage errors', () => {
    it.each([
      [['smoke'], 'smoke needs --region REGION or AWS_REGION'],
      [
        ['smoke', '--region', REGION, '--stage', 'prod', '--function', 'f'],
        'give --stage or --function, not both',
      ],
      [
        ['smoke', '--region', REGION, '--stage', 'prod_1'],
        '--stage must be letters, digits and hyphens; got "prod_1"',
      ],
      [
        ['smoke', '--region', REGION, '--topic', 'payments-alerts'],
        '--topic must be an SNS topic ARN',
      ],
    ])('%j exits 2: %s', async (argv, message) => {
      const { code, stderr } = await run(...argv);

      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(lambda.commandCalls(InvokeCommand)).toEqual([]);
    });
  });
});
