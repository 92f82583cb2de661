import {
  accountOfTopic,
  regionOfTopic,
  unreachableRegionReason,
} from '../../../lib/sns-region-reach';
import { awsError } from '../../support/aws-errors';

const REAL = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
const MADE_UP = 'arn:aws:sns:xx-fake-1:111122223333:payments-alerts';

function resolverError(code: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code} sns.xx-fake-1.amazonaws.com`), { code });
}

describe('unreachableRegionReason', () => {
  it.each([
    ['InvalidClientTokenId'],
    ['UnrecognizedClientException'],
    ['InvalidAccessKeyId'],
    ['OptInRequired'],
  ])('says a region that refuses the credentials (%s) cannot be reached', (name) => {
    expect(unreachableRegionReason(awsError(name), REAL)).toBe(name);
  });

  it.each([['ENOTFOUND'], ['EAI_AGAIN']])(
    'says %s for a region not shaped like an AWS region cannot be reached',
    (code) => {
      expect(unreachableRegionReason(resolverError(code), MADE_UP)).toBe(code);
    },
  );

  it.each([['ENOTFOUND'], ['EAI_AGAIN']])(
    'leaves %s for a real region name to a retry: the resolver may recover',
    (code) => {
      expect(unreachableRegionReason(resolverError(code), REAL)).toBeUndefined();
    },
  );

  it.each([
    ['ThrottlingException', 'client'],
    ['NotFound', 'client'],
    ['InvalidClientTokenId', 'server'],
  ] as const)('does not call %s (%s fault) unreachable', (name, fault) => {
    expect(unreachableRegionReason(awsError(name, name, fault), REAL)).toBeUndefined();
  });

  it('takes the region from the topic ARN', () => {
    expect(regionOfTopic(MADE_UP)).toBe('xx-fake-1');
    expect(regionOfTopic('not-an-arn')).toBe('');
  });

  it('takes the account from the topic ARN', () => {
    expect(accountOfTopic('arn:aws:sns:eu-west-1:111122223333:team-a')).toBe('111122223333');
    expect(accountOfTopic('not-an-arn')).toBe('');
  });
});
