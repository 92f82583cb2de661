/** The parts of an SNS topic ARN. */
export interface TopicArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
}

// Topic names: 1-256 of letters, digits, '-' and '_'; FIFO topics end in '.fifo'.
const TOPIC_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):sns:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):([A-Za-z0-9_-]{1,251}(?:\.fifo)?|[A-Za-z0-9_-]{1,256})$/;

/**
 * Parses a well-formed SNS topic ARN, or returns `undefined`.
 *
 * @example parseTopicArn('arn:aws:sns:eu-west-1:111122223333:payments-alerts')
 *   // { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', name: 'payments-alerts' }
 */
export function parseTopicArn(value: string): TopicArn | undefined {
  const match = TOPIC_ARN.exec(value.trim());
  if (!match) return undefined;
  const [, partition = '', region = '', accountId = '', name = ''] = match;
  return { partition, region, accountId, name };
}
