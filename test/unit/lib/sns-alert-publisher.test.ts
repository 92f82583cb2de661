import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsAlertPublisher } from '../../../lib/sns-alert-publisher';
import { awsError } from '../../support/aws-errors';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
const message = {
  subject: '[High] Classification violation: acme',
  document: { kind: 'violation', severity: 'High' },
  text: 'readable text',
  attributes: { severity: 'High', team: 'payments', bucket: 'acme', empty: '' },
};

describe('SnsAlertPublisher', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('publishes JSON for machines and text for e-mail, with filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

    const result = await publisher.publish(TOPIC, message);

    expect(result).toEqual({ kind: 'published', messageId: 'm-1' });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.MessageStructure).toBe('json');
    expect(JSON.parse(input?.Message ?? '{}')).toEqual({
      default: JSON.stringify(message.document),
      email: 'readable text',
    });
    expect(input?.MessageAttributes?.severity).toEqual({ DataType: 'String', StringValue: 'High' });
    expect(input?.MessageAttributes?.empty?.StringValue).toBe('-');
  });

  it("publishes with a client for the topic's region", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const regions: string[] = [];
    const publisher = new SnsAlertPublisher((region) => {
      regions.push(region);
      return new SNSClient({ region });
    });

    await publisher.publish(TOPIC, message);
    await publisher.publish(TOPIC, message);
    await publisher.publish('arn:aws:sns:us-east-2:111122223333:other', message);

    expect(regions).toEqual(['eu-west-1', 'us-east-2']);
  });

  // Every error name SNS (or the regional endpoint in front of it) answers when the
  // same publish can never succeed, one by one.
  it.each([
    ['NotFoundException'],
    ['NotFound'],
    ['AuthorizationErrorException'],
    ['AuthorizationError'],
    ['InvalidParameterException'],
    ['InvalidParameter'],
    ['InvalidParameterValueException'],
    ['InvalidParameterValue'],
    ['ValidationException'],
    ['ValidationError'],
    ['InvalidSecurityException'],
    ['KMSAccessDeniedException'],
    ['KMSDisabledException'],
    ['KMSInvalidStateException'],
    ['KMSNotFoundException'],
    ['KMSOptInRequired'],
    ['AccessDeniedException'],
    ['AccessDenied'],
    ['InvalidClientTokenId'],
    ['UnrecognizedClientException'],
    ['InvalidAccessKeyId'],
    ['OptInRequired'],
  ])('reports %s as a refusal, so the alert can fall back', async (name) => {
    sns.on(PublishCommand).rejects(awsError(name, `${name} from SNS`));
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

    const result = await publisher.publish(TOPIC, message);

    expect(result).toEqual({ kind: 'refused', errorName: name });
  });

  it.each([
    ['ThrottlingException', 'client'],
    ['Throttled', 'client'],
    ['ThrottledException', 'client'],
    ['InternalErrorException', 'server'],
    ['InternalFailure', 'server'],
    ['ServiceUnavailable', 'server'],
    ['TimeoutError', 'client'],
    // Near misses of refusal names: matched exactly, not by case or prefix.
    ['notfoundexception', 'client'],
    ['AccessDeniedExceptions', 'client'],
    ['Throttling', 'client'],
  ] as const)('lets %s (%s fault) fail the call, so the event is retried', async (name, fault) => {
    sns.on(PublishCommand).rejects(awsError(name, `${name} from SNS`, fault));
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region, maxAttempts: 1 }));

    const publishing = publisher.publish(TOPIC, message);

    await expect(publishing).rejects.toThrow(`${name} from SNS`);
  });

  it('retries a server fault even when its name would be a refusal', async () => {
    sns.on(PublishCommand).rejects(awsError('AccessDenied', 'AccessDenied (503)', 'server'));
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region, maxAttempts: 1 }));

    const publishing = publisher.publish(TOPIC, message);

    await expect(publishing).rejects.toThrow('AccessDenied (503)');
  });

  describe('when the regional endpoint does not resolve', () => {
    it.each([
      ['ENOTFOUND', 'arn:aws:sns:eu-wset-1:111122223333:payments-alerts'],
      ['EAI_AGAIN', 'arn:aws:sns:eu-wset-1:111122223333:payments-alerts'],
      ['ENOTFOUND', 'arn:aws:sns:EU-WEST-1:111122223333:payments-alerts'],
      ['ENOTFOUND', 'arn:aws:sns:local:111122223333:payments-alerts'],
    ])(
      'reports %s for %s, whose region is not an AWS region name, as a refusal',
      async (code, topic) => {
        sns.on(PublishCommand).rejects(dnsError(code));
        const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

        const result = await publisher.publish(topic, message);

        expect(result).toEqual({ kind: 'refused', errorName: code });
      },
    );

    it.each([
      ['ENOTFOUND', 'arn:aws:sns:eu-west-1:111122223333:payments-alerts'],
      ['EAI_AGAIN', 'arn:aws:sns:eu-west-1:111122223333:payments-alerts'],
      ['ENOTFOUND', 'arn:aws:sns:ap-southeast-7:111122223333:payments-alerts'],
      ['ENOTFOUND', 'arn:aws:sns:il-central-1:111122223333:payments-alerts'],
      ['ENOTFOUND', 'arn:aws-us-gov:sns:us-gov-west-1:111122223333:payments-alerts'],
      ['ENOTFOUND', 'arn:aws-iso-b:sns:us-isob-east-1:111122223333:payments-alerts'],
      ['ENOTFOUND', 'arn:aws-eusc:sns:eusc-de-east-1:111122223333:payments-alerts'],
    ])(
      'lets %s for %s, a real region name, fail the call: the resolver may recover',
      async (code, topic) => {
        sns.on(PublishCommand).rejects(dnsError(code));
        const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

        const publishing = publisher.publish(topic, message);

        await expect(publishing).rejects.toThrow(`getaddrinfo ${code}`);
      },
    );

    it('lets a refused connection fail the call even for a region that is not a name', async () => {
      sns.on(PublishCommand).rejects(dnsError('ECONNREFUSED', 'connect'));
      const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

      const publishing = publisher.publish(
        'arn:aws:sns:eu-wset-1:111122223333:payments-alerts',
        message,
      );

      await expect(publishing).rejects.toThrow('connect ECONNREFUSED');
    });
  });
  it("by default, publishes with a client made for the topic's region", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const publisher = new SnsAlertPublisher();

    await publisher.publish(TOPIC, message);

    const client = sns.call(0).thisValue as SNSClient;
    await expect(client.config.region()).resolves.toBe('eu-west-1');
  });
});

/** What Node's HTTP stack rejects with when it cannot reach the endpoint (by default: its name does not resolve). */
function dnsError(code: string, syscall = 'getaddrinfo'): Error {
  return Object.assign(new Error(`${syscall} ${code} sns.example.amazonaws.com`), {
    code,
    syscall,
    hostname: 'sns.example.amazonaws.com',
  });
}
