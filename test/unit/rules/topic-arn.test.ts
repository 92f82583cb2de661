import { parseTopicArn } from '../../../rules/topic-arn';

describe('parseTopicArn', () => {
  it('splits a topic ARN into its parts', () => {
    expect(parseTopicArn('arn:aws:sns:eu-west-1:111122223333:payments-alerts')).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111122223333',
      name: 'payments-alerts',
    });
  });

  it('accepts a one-character topic name, the shortest there is', () => {
    expect(parseTopicArn('arn:aws:sns:us-east-1:111122223333:t')?.name).toBe('t');
  });

  it.each([
    ['arn:aws-us-gov:sns:us-gov-west-1:111122223333:alerts'],
    ['arn:aws-cn:sns:cn-north-1:111122223333:alerts'],
    ['arn:aws:sns:eu-west-1:111122223333:orders.fifo'],
    ['  arn:aws:sns:eu-west-1:111122223333:padded  '],
  ])('accepts %s', (arn) => {
    expect(parseTopicArn(arn)).toBeDefined();
  });

  it.each([
    ['an SQS queue ARN', 'arn:aws:sqs:eu-west-1:111122223333:queue'],
    ['a short account', 'arn:aws:sns:eu-west-1:11112222333:alerts'],
    ['no region', 'arn:aws:sns::111122223333:alerts'],
    ['a subscription ARN', 'arn:aws:sns:eu-west-1:111122223333:alerts:5f1c1e8e-0b5c'],
    ['a name with a space', 'arn:aws:sns:eu-west-1:111122223333:team alerts'],
    ['a name too long', `arn:aws:sns:eu-west-1:111122223333:${'a'.repeat(257)}`],
    ['an unknown partition', 'arn:example:sns:eu-west-1:111122223333:alerts'],
    ['an email address', 'team@example.com'],
    ['an empty value', ''],
    ['text before the ARN', 'see arn:aws:sns:us-east-1:111122223333:t'],
    ['text after the ARN', 'arn:aws:sns:us-east-1:111122223333:t x'],
    ['a 13-digit account', 'arn:aws:sns:us-east-1:1111222233334:t'],
    ['an 11-digit account', 'arn:aws:sns:us-east-1:11112222333:t'],
  ])('rejects %s', (_, value) => {
    expect(parseTopicArn(value)).toBeUndefined();
  });
});
