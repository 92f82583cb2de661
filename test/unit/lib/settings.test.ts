import {
  bucketChangeSettings,
  findingHandlerSettings,
  organizationFromEnv,
  parseAccountList,
  parseRoleName,
  parseTableName,
  SettingsError,
  summarizeLedgerSettings,
  tagRuleSettings,
  topicOptInFromEnv,
} from '../../../lib/settings';

const CENTRAL = 'arn:aws:sns:eu-west-1:999988887777:central-security';

describe('findingHandlerSettings', () => {
  it('applies the documented defaults', () => {
    expect(findingHandlerSettings({ SECURITY_TOPIC_ARN: CENTRAL, LEDGER_TABLE: 'ledger' })).toEqual(
      {
        securityTopicArn: CENTRAL,
        metricsNamespace: 'DataClassification',
        tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
        allowedTopicAccounts: [],
        policyFile: undefined,
        waiversFile: undefined,
        ledgerTable: 'ledger',
        reminderAfterMs: 24 * 3_600_000,
        topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
        logGroupName: undefined,
        // The central topic's account; one account, no organisation.
        centralAccountId: '999988887777',
        organization: undefined,
      },
    );
  });

  it('reads every setting', () => {
    const settings = findingHandlerSettings({
      SECURITY_TOPIC_ARN: CENTRAL,
      METRICS_NAMESPACE: 'Security/Classification',
      CLASSIFICATION_TAG_KEY: 'data-level',
      TOPIC_TAG_KEY: 'alerts-topic',
      TEAM_TAG_KEY: 'owner',
      ALLOWED_TOPIC_ACCOUNTS: ' 111122223333, 444455556666 ,',
      POLICY_FILE: 'policies/strict.yaml',
      WAIVERS_FILE: 'policies/team-waivers.yaml',
      LEDGER_TABLE: 'bucket-classification-prod-ledger',
      REMINDER_AFTER_HOURS: '72',
      TOPIC_OPT_IN_TAG_KEY: 'security:alerts',
      TOPIC_OPT_IN_TAG_VALUE: 'Accepted',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/validateFinding',
      ORGANIZATION_ID: 'o-abcdef1234',
      MEMBER_ROLE_NAME: 'ClassificationReader',
      CENTRAL_ACCOUNT_ID: '123456789012',
    });

    expect(settings).toEqual({
      securityTopicArn: CENTRAL,
      metricsNamespace: 'Security/Classification',
      tagKeys: { classification: 'data-level', topic: 'alerts-topic', team: 'owner' },
      allowedTopicAccounts: ['111122223333', '444455556666'],
      policyFile: 'policies/strict.yaml',
      waiversFile: 'policies/team-waivers.yaml',
      ledgerTable: 'bucket-classification-prod-ledger',
      reminderAfterMs: 72 * 3_600_000,
      topicOptIn: { key: 'security:alerts', value: 'Accepted' },
      logGroupName: '/aws/lambda/validateFinding',
      centralAccountId: '123456789012',
      organization: {
        organizationId: 'o-abcdef1234',
        memberRoleName: 'ClassificationReader',
        centralAccountId: '123456789012',
      },
    });
  });

  it('takes CENTRAL_ACCOUNT_ID over the central topic’s account without an organisation too', () => {
    expect(
      findingHandlerSettings({
        SECURITY_TOPIC_ARN: CENTRAL,
        LEDGER_TABLE: 'ledger',
        CENTRAL_ACCOUNT_ID: '123456789012',
      }),
    ).toMatchObject({ centralAccountId: '123456789012', organization: undefined });
  });

  it.each([
    [{}, 'SECURITY_TOPIC_ARN is required but not set'],
    [{ SECURITY_TOPIC_ARN: '  ' }, 'SECURITY_TOPIC_ARN is required but not set'],
    [{ SECURITY_TOPIC_ARN: 'central-security' }, 'SECURITY_TOPIC_ARN must be an SNS topic ARN'],
    [
      { SECURITY_TOPIC_ARN: CENTRAL, ALLOWED_TOPIC_ACCOUNTS: '111122223333,prod' },
      'ALLOWED_TOPIC_ACCOUNTS must be a comma-separated list of 12-digit account IDs; not an account ID: "prod"',
    ],
    [
      { SECURITY_TOPIC_ARN: CENTRAL, METRICS_NAMESPACE: 'AWS/S3', LEDGER_TABLE: 'ledger' },
      'METRICS_NAMESPACE must be',
    ],
    [{ SECURITY_TOPIC_ARN: CENTRAL }, 'LEDGER_TABLE is required but not set'],
    [
      { SECURITY_TOPIC_ARN: CENTRAL, LEDGER_TABLE: 'my table' },
      'LEDGER_TABLE must be a DynamoDB table name',
    ],
    [
      { SECURITY_TOPIC_ARN: CENTRAL, LEDGER_TABLE: 'ledger', REMINDER_AFTER_HOURS: '0.5' },
      'REMINDER_AFTER_HOURS must be a whole number of hours from 1 to 8760; got "0.5"',
    ],
  ])('fails with a message naming the setting (%j)', (env, message) => {
    expect(() => findingHandlerSettings(env)).toThrow(SettingsError);
    expect(() => findingHandlerSettings(env)).toThrow(message);
  });
});

describe('summarizeLedgerSettings', () => {
  it('reads the same settings as validateFinding, with the same checks', () => {
    const env = {
      SECURITY_TOPIC_ARN: CENTRAL,
      LEDGER_TABLE: 'ledger',
      ALLOWED_TOPIC_ACCOUNTS: '111122223333',
      REMINDER_AFTER_HOURS: '48',
    };

    expect(summarizeLedgerSettings(env)).toEqual(findingHandlerSettings(env));
    expect(() => summarizeLedgerSettings({ LEDGER_TABLE: 'ledger' })).toThrow(
      'SECURITY_TOPIC_ARN is required but not set',
    );
  });
});

describe('parseTableName', () => {
  it('accepts a DynamoDB table name and names the source of a bad one', () => {
    expect(parseTableName(' ledger ', '--table')).toBe('ledger');
    expect(() => parseTableName('my table', '--table')).toThrow(
      '--table must be a DynamoDB table name',
    );
  });
});

describe('bucketChangeSettings', () => {
  it("reads validateFinding's settings and the name of the tag rule", () => {
    const env = {
      SECURITY_TOPIC_ARN: CENTRAL,
      LEDGER_TABLE: 'ledger',
      REMINDER_AFTER_HOURS: '12',
      CONFIG_RULE_NAME: ' check-bucket-tags ',
    };

    expect(bucketChangeSettings(env)).toEqual({
      ...findingHandlerSettings(env),
      configRuleName: 'check-bucket-tags',
    });
  });

  it.each([
    [
      { SECURITY_TOPIC_ARN: CENTRAL, LEDGER_TABLE: 'ledger' },
      'CONFIG_RULE_NAME is required but not set',
    ],
    [
      { SECURITY_TOPIC_ARN: CENTRAL, LEDGER_TABLE: 'ledger', CONFIG_RULE_NAME: ' ' },
      'CONFIG_RULE_NAME is required but not set',
    ],
    [
      { LEDGER_TABLE: 'ledger', CONFIG_RULE_NAME: 'rule' },
      'SECURITY_TOPIC_ARN is required but not set',
    ],
  ])('fails with a message naming the setting (%j)', (env, message) => {
    expect(() => bucketChangeSettings(env)).toThrow(SettingsError);
    expect(() => bucketChangeSettings(env)).toThrow(message);
  });
});

describe('tagRuleSettings', () => {
  const lambdaEnv = { AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'check-bucket-tags' };

  it('applies the documented defaults', () => {
    expect(tagRuleSettings(lambdaEnv)).toEqual({
      tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
      allowedTopicAccounts: [],
      policyFile: undefined,
      region: 'eu-west-1',
      tagReadConcurrency: 8,
      functionName: 'check-bucket-tags',
      sweepSafetyMarginMs: 60_000,
      topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
    });
  });

  it.each([
    ['1', 1_000],
    ['90', 90_000],
    [' 900 ', 900_000],
  ])('reads SWEEP_SAFETY_MARGIN_SECONDS %j as %i ms', (text, ms) => {
    expect(
      tagRuleSettings({ ...lambdaEnv, SWEEP_SAFETY_MARGIN_SECONDS: text }).sweepSafetyMarginMs,
    ).toBe(ms);
  });

  it.each(['0', '901', '1.5', '-5', 'a minute'])(
    'refuses SWEEP_SAFETY_MARGIN_SECONDS %j, naming it',
    (text) => {
      expect(() => tagRuleSettings({ ...lambdaEnv, SWEEP_SAFETY_MARGIN_SECONDS: text })).toThrow(
        `SWEEP_SAFETY_MARGIN_SECONDS must be a whole number of seconds from 1 to 900; got "${text.trim()}"`,
      );
    },
  );

  it('needs the function name Lambda sets, to hand a sweep over to itself', () => {
    expect(() => tagRuleSettings({ AWS_REGION: 'eu-west-1' })).toThrow(
      'AWS_LAMBDA_FUNCTION_NAME is required but not set',
    );
  });
});

describe('account IDs in settings', () => {
  it.each([
    ['13 digits', '1111222233334'],
    ['11 digits', '11112222333'],
  ])('refuses an allowed topic account of %s', (_, account) => {
    const env = {
      SECURITY_TOPIC_ARN: CENTRAL,
      LEDGER_TABLE: 'ledger',
      ALLOWED_TOPIC_ACCOUNTS: account,
    };

    expect(() => findingHandlerSettings(env)).toThrow(
      `ALLOWED_TOPIC_ACCOUNTS must be a comma-separated list of 12-digit account IDs; not an account ID: "${account}"`,
    );
  });

  it('accepts an allowed topic account of 12 digits', () => {
    expect(parseAccountList('111122223333', 'ALLOWED_TOPIC_ACCOUNTS')).toEqual(['111122223333']);
  });

  it.each([
    ['13 digits', 'arn:aws:sns:eu-west-1:9999888877776:central-security'],
    ['11 digits', 'arn:aws:sns:eu-west-1:99998888777:central-security'],
  ])('refuses a central topic whose account has %s', (_, arn) => {
    expect(() =>
      findingHandlerSettings({ SECURITY_TOPIC_ARN: arn, LEDGER_TABLE: 'ledger' }),
    ).toThrow('SECURITY_TOPIC_ARN must be an SNS topic ARN');
  });

  it.each([
    ['text before it', `see ${CENTRAL}`],
    ['text after it', `${CENTRAL} x`],
  ])('refuses a central topic ARN with %s', (_, arn) => {
    expect(() =>
      findingHandlerSettings({ SECURITY_TOPIC_ARN: arn, LEDGER_TABLE: 'ledger' }),
    ).toThrow('SECURITY_TOPIC_ARN must be an SNS topic ARN');
  });
});

describe('topicOptInFromEnv', () => {
  it('defaults to AcceptsClassificationAlerts=true', () => {
    expect(topicOptInFromEnv({})).toEqual({ key: 'AcceptsClassificationAlerts', value: 'true' });
  });

  it('treats a blank setting as unset', () => {
    expect(topicOptInFromEnv({ TOPIC_OPT_IN_TAG_KEY: ' ', TOPIC_OPT_IN_TAG_VALUE: '' })).toEqual({
      key: 'AcceptsClassificationAlerts',
      value: 'true',
    });
  });

  it('reads both settings, keeping the value as written (it is compared exactly)', () => {
    expect(
      topicOptInFromEnv({ TOPIC_OPT_IN_TAG_KEY: 'team/alerts ok', TOPIC_OPT_IN_TAG_VALUE: 'Yes' }),
    ).toEqual({ key: 'team/alerts ok', value: 'Yes' });
  });

  it('accepts a key of 128 characters and a value of 256', () => {
    const key = 'k'.repeat(128);
    const value = 'v'.repeat(256);
    expect(topicOptInFromEnv({ TOPIC_OPT_IN_TAG_KEY: key, TOPIC_OPT_IN_TAG_VALUE: value })).toEqual(
      { key, value },
    );
  });

  it.each([
    [{ TOPIC_OPT_IN_TAG_KEY: 'k'.repeat(129) }, 'TOPIC_OPT_IN_TAG_KEY must be an SNS tag key'],
    [{ TOPIC_OPT_IN_TAG_KEY: 'aws:alerts' }, 'not starting with aws:'],
    [{ TOPIC_OPT_IN_TAG_KEY: 'AWS:alerts' }, 'TOPIC_OPT_IN_TAG_KEY must be an SNS tag key'],
    [{ TOPIC_OPT_IN_TAG_KEY: 'alerts*' }, 'got "alerts*"'],
    [
      { TOPIC_OPT_IN_TAG_VALUE: 'v'.repeat(257) },
      'TOPIC_OPT_IN_TAG_VALUE must be an SNS tag value',
    ],
    [{ TOPIC_OPT_IN_TAG_VALUE: 'yes!' }, 'TOPIC_OPT_IN_TAG_VALUE must be an SNS tag value'],
  ])('refuses %j, naming the setting', (env, message) => {
    expect(() => topicOptInFromEnv(env)).toThrow(SettingsError);
    expect(() => topicOptInFromEnv(env)).toThrow(message);
  });

  it('is read by the tag rule and by every function that publishes', () => {
    const env = {
      SECURITY_TOPIC_ARN: CENTRAL,
      LEDGER_TABLE: 'ledger',
      AWS_REGION: 'eu-west-1',
      CONFIG_RULE_NAME: 'bucket-tags',
      AWS_LAMBDA_FUNCTION_NAME: 'check-bucket-tags',
      TOPIC_OPT_IN_TAG_KEY: 'alerts',
      TOPIC_OPT_IN_TAG_VALUE: 'on',
    };
    const expected = { key: 'alerts', value: 'on' };
    expect(tagRuleSettings(env).topicOptIn).toEqual(expected);
    expect(findingHandlerSettings(env).topicOptIn).toEqual(expected);
    expect(bucketChangeSettings(env).topicOptIn).toEqual(expected);
    expect(summarizeLedgerSettings(env).topicOptIn).toEqual(expected);
  });
});

describe('organizationFromEnv', () => {
  it('is undefined without ORGANIZATION_ID: a deployment for one account', () => {
    expect(organizationFromEnv({})).toBeUndefined();
    expect(organizationFromEnv({ ORGANIZATION_ID: '  ', CENTRAL_ACCOUNT_ID: '999999999999' })).toBe(
      undefined,
    );
  });

  it('reads the organisation, the member role (by default BucketClassificationMember) and the central account', () => {
    expect(
      organizationFromEnv({ ORGANIZATION_ID: 'o-abcdef1234', CENTRAL_ACCOUNT_ID: '999999999999' }),
    ).toEqual({
      organizationId: 'o-abcdef1234',
      memberRoleName: 'BucketClassificationMember',
      centralAccountId: '999999999999',
    });
    expect(
      organizationFromEnv({
        ORGANIZATION_ID: 'o-abcdef1234',
        CENTRAL_ACCOUNT_ID: '999999999999',
        MEMBER_ROLE_NAME: 'Security+Read=Only,v1.0@x_y-z',
      })?.memberRoleName,
    ).toBe('Security+Read=Only,v1.0@x_y-z');
  });

  it('takes the fallback central account when CENTRAL_ACCOUNT_ID is not set, and needs one', () => {
    expect(organizationFromEnv({ ORGANIZATION_ID: 'o-abcdef1234' }, '123456789012')).toMatchObject({
      centralAccountId: '123456789012',
    });
    expect(() => organizationFromEnv({ ORGANIZATION_ID: 'o-abcdef1234' })).toThrow(
      'CENTRAL_ACCOUNT_ID is required when ORGANIZATION_ID is set',
    );
  });

  it.each([
    ['o-abcdefghi', 'too short'],
    ['o-ABCDEFGHIJ', 'upper case'],
    [`o-${'a'.repeat(33)}`, 'too long'],
    ['r-abcdefghij', 'a root id'],
  ])('refuses ORGANIZATION_ID %s (%s), naming it', (id) => {
    expect(() =>
      organizationFromEnv({ ORGANIZATION_ID: id, CENTRAL_ACCOUNT_ID: '999999999999' }),
    ).toThrow(
      `ORGANIZATION_ID must be an organization ID (o- and 10-32 lowercase letters or digits); got "${id}"`,
    );
  });

  it('takes organisation ids of 10 and 32 characters after o-', () => {
    for (const id of ['o-abcdefghij', `o-${'a1'.repeat(16)}`]) {
      expect(
        organizationFromEnv({ ORGANIZATION_ID: id, CENTRAL_ACCOUNT_ID: '999999999999' })
          ?.organizationId,
      ).toBe(id);
    }
  });

  it('refuses a malformed CENTRAL_ACCOUNT_ID or MEMBER_ROLE_NAME even for one account', () => {
    expect(() => organizationFromEnv({ CENTRAL_ACCOUNT_ID: '12345' })).toThrow(
      'CENTRAL_ACCOUNT_ID must be a 12-digit account ID; got "12345"',
    );
    expect(() => organizationFromEnv({ MEMBER_ROLE_NAME: 'has space' })).toThrow(
      'MEMBER_ROLE_NAME must be an IAM role name (1-64 letters, digits or + = , . @ _ -); got "has space"',
    );
    expect(() => organizationFromEnv({ MEMBER_ROLE_NAME: 'r'.repeat(65) })).toThrow(
      'MEMBER_ROLE_NAME must be an IAM role name',
    );
    expect(parseRoleName('r'.repeat(64), '--member-role')).toBe('r'.repeat(64));
  });
});
