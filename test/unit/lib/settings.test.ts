import { findingHandlerSettings, SettingsError } from '../../../lib/settings';

const CENTRAL = 'arn:aws:sns:eu-west-1:999988887777:central-security';

describe('findingHandlerSettings', () => {
  it('applies the documented defaults', () => {
    expect(findingHandlerSettings({ SECURITY_TOPIC_ARN: CENTRAL })).toEqual({
      securityTopicArn: CENTRAL,
      metricsNamespace: 'DataClassification',
      tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
      allowedTopicAccounts: [],
      policyFile: undefined,
    });
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
    });

    expect(settings).toEqual({
      securityTopicArn: CENTRAL,
      metricsNamespace: 'Security/Classification',
      tagKeys: { classification: 'data-level', topic: 'alerts-topic', team: 'owner' },
      allowedTopicAccounts: ['111122223333', '444455556666'],
      policyFile: 'policies/strict.yaml',
    });
  });

  it.each([
    [{}, 'SECURITY_TOPIC_ARN is required but not set'],
    [{ SECURITY_TOPIC_ARN: '  ' }, 'SECURITY_TOPIC_ARN is required but not set'],
    [{ SECURITY_TOPIC_ARN: 'central-security' }, 'SECURITY_TOPIC_ARN must be an SNS topic ARN'],
    [
      { SECURITY_TOPIC_ARN: CENTRAL, ALLOWED_TOPIC_ACCOUNTS: '111122223333,prod' },
      'ALLOWED_TOPIC_ACCOUNTS must be a comma-separated list of 12-digit account IDs; not an account ID: "prod"',
    ],
    [{ SECURITY_TOPIC_ARN: CENTRAL, METRICS_NAMESPACE: 'AWS/S3' }, 'METRICS_NAMESPACE must be'],
  ])('fails with a message naming the setting (%j)', (env, message) => {
    expect(() => findingHandlerSettings(env)).toThrow(SettingsError);
    expect(() => findingHandlerSettings(env)).toThrow(message);
  });
});
