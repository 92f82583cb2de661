import { runCli as run } from '../../support/cli';
import { type ClearedEnv, clearEnv } from '../../support/env';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
const CENTRAL = '999988887777';

let env: ClearedEnv;
beforeEach(() => {
  env = clearEnv(['TOPIC_OPT_IN_TAG_KEY', 'TOPIC_OPT_IN_TAG_VALUE']);
});
afterEach(() => env.restore());

function topicPolicy(...extra: string[]) {
  return run(
    'onboarding',
    'topic-policy',
    '--topic',
    TOPIC,
    '--central-account',
    CENTRAL,
    ...extra,
  );
}

/** The JSON documents in the text output, each starting with "{" alone on a line. */
function jsonBlocks(text: string): unknown[] {
  return [...text.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map((match) => JSON.parse(match[0]));
}

describe('bucket-classification onboarding topic-policy', () => {
  describe('--format json', () => {
    it('prints the topic-policy statement, the tag command and the key-policy statement', async () => {
      // Act
      const { code, stdout, stderr } = await topicPolicy('--format', 'json');

      // Assess
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toEqual({
        statement: {
          Sid: 'AllowBucketClassificationPublish',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999988887777:root' },
          Action: 'sns:Publish',
          Resource: 'arn:aws:sns:eu-west-1:111122223333:payments-alerts',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': 'arn:aws:iam::999988887777:role/bucket-classification/*',
            },
          },
        },
        tagCommand:
          'aws sns tag-resource --resource-arn arn:aws:sns:eu-west-1:111122223333:payments-alerts --tags Key=AcceptsClassificationAlerts,Value=true',
        kmsStatement: {
          Sid: 'AllowBucketClassificationKeyUse',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::999988887777:root' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': 'arn:aws:iam::999988887777:role/bucket-classification/*',
            },
          },
        },
      });
    });

    it('covers the roles under --role-path', async () => {
      const { stdout } = await topicPolicy('--role-path', '/security/alerts/', '--format', 'json');

      const { statement, kmsStatement } = JSON.parse(stdout);
      expect(statement.Condition).toEqual({
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::999988887777:role/security/alerts/*' },
      });
      expect(kmsStatement.Condition).toEqual(statement.Condition);
    });

    it('takes the partition from the topic ARN', async () => {
      const { stdout } = await run(
        'onboarding',
        'topic-policy',
        '--topic',
        'arn:aws-cn:sns:cn-north-1:111122223333:payments-alerts',
        '--central-account',
        CENTRAL,
        '--format',
        'json',
      );

      const { statement } = JSON.parse(stdout);
      expect(statement.Principal).toEqual({ AWS: 'arn:aws-cn:iam::999988887777:root' });
      expect(statement.Condition.ArnLike['aws:PrincipalArn']).toBe(
        'arn:aws-cn:iam::999988887777:role/bucket-classification/*',
      );
    });

    it('tags with TOPIC_OPT_IN_TAG_KEY and TOPIC_OPT_IN_TAG_VALUE, quoted when they hold a space', async () => {
      process.env.TOPIC_OPT_IN_TAG_KEY = 'security alerts';
      process.env.TOPIC_OPT_IN_TAG_VALUE = 'yes';

      const { stdout } = await topicPolicy('--format', 'json');

      expect(JSON.parse(stdout).tagCommand).toBe(
        `aws sns tag-resource --resource-arn ${TOPIC} --tags 'Key=security alerts,Value=yes'`,
      );
    });
  });

  describe('--format text (the default)', () => {
    it('prints both statements as JSON a policy accepts, and the tag command', async () => {
      const { code, stdout } = await topicPolicy();

      expect(code).toBe(0);
      const [statement, kmsStatement, ...others] = jsonBlocks(stdout);
      expect(others).toEqual([]);
      expect(statement).toMatchObject({ Action: 'sns:Publish', Resource: TOPIC });
      expect(kmsStatement).toMatchObject({ Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] });
      expect(stdout).toContain(
        `\naws sns tag-resource --resource-arn ${TOPIC} --tags Key=AcceptsClassificationAlerts,Value=true\n`,
      );
      expect(stdout).toMatch(/customer managed KMS key/);
    });
  });

  describe('usage errors (exit 2, nothing on stdout)', () => {
    it.each<[string, string[], RegExp]>([
      ['no subcommand', ['onboarding'], /onboarding needs a subcommand: topic-policy/],
      [
        'an unknown subcommand',
        ['onboarding', 'key-policy'],
        /unknown onboarding subcommand "key-policy" \(expected topic-policy\)/,
      ],
      [
        'no --topic',
        ['onboarding', 'topic-policy', '--central-account', CENTRAL],
        /needs --topic ARN/,
      ],
      [
        'a --topic that is not an SNS topic ARN',
        ['onboarding', 'topic-policy', '--topic', 'payments-alerts', '--central-account', CENTRAL],
        /--topic must be an SNS topic ARN .*; got "payments-alerts"/,
      ],
      [
        'a --topic of another service',
        [
          'onboarding',
          'topic-policy',
          '--topic',
          'arn:aws:sqs:eu-west-1:111122223333:payments',
          '--central-account',
          CENTRAL,
        ],
        /--topic must be an SNS topic ARN/,
      ],
      [
        'a FIFO --topic',
        ['onboarding', 'topic-policy', '--topic', `${TOPIC}.fifo`, '--central-account', CENTRAL],
        /--topic is a FIFO topic, which refuses alerts/,
      ],
      [
        'no --central-account',
        ['onboarding', 'topic-policy', '--topic', TOPIC],
        /needs --central-account ID/,
      ],
      [
        'a --central-account of 11 digits',
        ['onboarding', 'topic-policy', '--topic', TOPIC, '--central-account', '99998888777'],
        /--central-account must be a 12-digit account ID; got "99998888777"/,
      ],
      [
        'a --central-account of 13 digits',
        ['onboarding', 'topic-policy', '--topic', TOPIC, '--central-account', '9999888877776'],
        /--central-account must be a 12-digit account ID; got "9999888877776"/,
      ],
      [
        'a --role-path without the leading /',
        [
          'onboarding',
          'topic-policy',
          '--topic',
          TOPIC,
          '--central-account',
          CENTRAL,
          '--role-path',
          'bucket-classification/',
        ],
        /--role-path must be an IAM path that starts and ends with \/.*got "bucket-classification\/"/,
      ],
      [
        'a --role-path without the trailing /',
        [
          'onboarding',
          'topic-policy',
          '--topic',
          TOPIC,
          '--central-account',
          CENTRAL,
          '--role-path',
          '/bucket-classification',
        ],
        /--role-path must be an IAM path .*got "\/bucket-classification"/,
      ],
      [
        'a --role-path with a space',
        [
          'onboarding',
          'topic-policy',
          '--topic',
          TOPIC,
          '--central-account',
          CENTRAL,
          '--role-path',
          '/bucket classification/',
        ],
        /--role-path must be an IAM path/,
      ],
      [
        'an unknown format',
        [
          'onboarding',
          'topic-policy',
          '--topic',
          TOPIC,
          '--central-account',
          CENTRAL,
          '--format',
          'yaml',
        ],
        /--format must be one of text, json; got "yaml"/,
      ],
      [
        'a positional argument',
        ['onboarding', 'topic-policy', '--topic', TOPIC, '--central-account', CENTRAL, 'extra'],
        /takes no arguments besides its options; got "extra"/,
      ],
    ])('rejects %s', async (_, args, message) => {
      const { code, stdout, stderr } = await run(...args);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
    });

    it('accepts the shortest and a nested role path', async () => {
      const root = await topicPolicy('--role-path', '/', '--format', 'json');
      const nested = await topicPolicy('--role-path', '/a/b/', '--format', 'json');

      expect(JSON.parse(root.stdout).statement.Condition.ArnLike['aws:PrincipalArn']).toBe(
        'arn:aws:iam::999988887777:role/*',
      );
      expect(JSON.parse(nested.stdout).statement.Condition.ArnLike['aws:PrincipalArn']).toBe(
        'arn:aws:iam::999988887777:role/a/b/*',
      );
    });

    it('rejects a TOPIC_OPT_IN_TAG_KEY that is not an SNS tag key, naming it', async () => {
      process.env.TOPIC_OPT_IN_TAG_KEY = 'aws:reserved';

      const { code, stderr } = await topicPolicy();

      expect(code).toBe(2);
      expect(stderr).toMatch(/TOPIC_OPT_IN_TAG_KEY must be an SNS tag key/);
    });
  });

  it('is listed in --help', async () => {
    const { stdout } = await run('--help');

    expect(stdout).toContain(
      'bucket-classification onboarding topic-policy --topic ARN --central-account ID',
    );
  });
});
