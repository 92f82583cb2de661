import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsAlertPublisher } from '../../../lib/sns-alert-publisher';
import { awsError } from '../../support/aws-errors';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
const message = {
  subject: '[High] Classification violation: acme',
  document: { kind: 'violation' },
  text: 'readable text',
  attributes: { severity: 'High' },
};

describe('SnsAlertPublisher refusals', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it.each([
    'NotFoundException',
    'NotFound',
    'AuthorizationErrorException',
    'AuthorizationError',
    'InvalidParameterException',
    'InvalidParameterValueException',
    'ValidationException',
    'InvalidSecurityException',
    'KMSAccessDeniedException',
    'KMSDisabledException',
    'KMSInvalidStateException',
    'KMSNotFoundException',
    'KMSOptInRequired',
    'AccessDeniedException',
    'AccessDenied',
  ])('reports %s as refused for good', async (name) => {
    sns.on(PublishCommand).rejects(awsError(name));
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

    const result = await publisher.publish(TOPIC, message);

    expect(result).toEqual({ kind: 'refused', errorName: name });
  });

  it.each([
    ['Throttling', 'client'],
    ['ThrottlingException', 'client'],
    ['InternalErrorException', 'server'],
    ['ServiceUnavailable', 'server'],
    ['notfoundexception', 'client'],
    ['AccessDeniedExceptions', 'client'],
  ] as const)('lets %s through, so the event is retried', async (name, fault) => {
    sns.on(PublishCommand).rejects(awsError(name, name, fault));
    const publisher = new SnsAlertPublisher((region) => new SNSClient({ region }));

    const publishing = publisher.publish(TOPIC, message);

    await expect(publishing).rejects.toMatchObject({ name });
  });
});
