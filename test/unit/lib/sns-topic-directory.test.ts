import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { MemberRoleError } from '../../../lib/member-credentials';
import {
  CachedTopicTags,
  SnsTopicDirectory,
  type TopicTagReader,
  type TopicTags,
} from '../../../lib/sns-topic-directory';
import { awsError } from '../../support/aws-errors';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:team-a-alerts';
const CONFIRMED = `${TOPIC}:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

/**
 * A client that tries once, so the tests see what happens once the SDK's retries are
 * spent (aws-sdk-client-mock answers `send` itself, before the retry middleware).
 */
const oneAttempt = (region: string) => new SNSClient({ region, maxAttempts: 1 });

const ROLE = 'arn:aws:iam::444455556666:role/bucket-classification-member';

/** An error as Node's networking throws it: a name and a system code. */
function withCode(name: string, code: string): Error {
  return Object.assign(new Error(`${name}: ${code}`), { name, code });
}

describe('SnsTopicDirectory', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('says a standard topic with a confirmed subscription is deliverable', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC } });
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ TopicArn: TOPIC, SubscriptionArn: CONFIRMED, Protocol: 'sqs' }],
    });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'deliverable' });
    expect(sns.commandCalls(GetTopicAttributesCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
    });
  });

  it('says a FIFO topic is FIFO, without listing its subscriptions', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { FifoTopic: 'true' } });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'fifo' });
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(0);
  });

  it('says a topic whose only subscription is pending confirmation has none confirmed', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email' }],
    });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'unconfirmed' });
  });

  it('says a topic without subscriptions has none confirmed', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'unconfirmed' });
  });

  it('reads further pages until it finds a confirmed subscription', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined })
      .resolves({ Subscriptions: [{ SubscriptionArn: 'PendingConfirmation' }], NextToken: 'p2' })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'p2' })
      .resolves({ Subscriptions: [{ SubscriptionArn: CONFIRMED }] });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'deliverable' });
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(2);
  });

  it.each([['NotFoundException'], ['NotFound']])(
    'says a topic does not exist on %s',
    async (name) => {
      sns.on(GetTopicAttributesCommand).rejects(awsError(name, `${name} from SNS`));
      const directory = new SnsTopicDirectory(oneAttempt);

      await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'missing' });
    },
  );

  it.each([['InvalidClientTokenId'], ['UnrecognizedClientException'], ['OptInRequired']])(
    'says the region cannot be reached on %s',
    async (name) => {
      sns.on(GetTopicAttributesCommand).rejects(awsError(name, `${name} from SNS`));
      const directory = new SnsTopicDirectory(oneAttempt);

      await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'unreachable', reason: name });
    },
  );

  it('says the region cannot be reached when its endpoint has no address (ENOTFOUND)', async () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND sns.xx-fake-1.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    sns.on(GetTopicAttributesCommand).rejects(dns);
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check('arn:aws:sns:xx-fake-1:111122223333:t')).resolves.toEqual({
      kind: 'unreachable',
      reason: 'ENOTFOUND',
    });
  });

  it.each([
    ['AuthorizationErrorException', 'client'],
    ['ThrottledException', 'client'],
    ['InternalErrorException', 'server'],
  ] as const)('cannot tell on %s, and does not throw', async (name, fault) => {
    sns.on(GetTopicAttributesCommand).rejects(awsError(name, `${name} from SNS`, fault));
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'unknown', reason: name });
  });

  it('lists the subscriptions of a topic whose attributes come back empty', async () => {
    sns.on(GetTopicAttributesCommand).resolves({});
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [{ Protocol: 'email' }, { SubscriptionArn: CONFIRMED, Protocol: 'sqs' }],
    });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'deliverable' });
  });

  it('reads a page that lists no subscriptions at all as none confirmed', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
    sns.on(ListSubscriptionsByTopicCommand).resolves({});
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'unconfirmed' });
  });

  it.each([
    [
      'a member role that could not be assumed, with the role',
      new MemberRoleError('AccessDenied', ROLE, 'not allowed'),
      `AccessDenied assuming ${ROLE}`,
    ],
    ['a network error by its system code', withCode('TimeoutError', 'ETIMEDOUT'), 'ETIMEDOUT'],
    [
      'a code that is not a system code by the name',
      withCode('H2Error', 'ERR_HTTP2_STREAM_ERROR'),
      'H2Error',
    ],
    ['a code that only ends like one by the name', withCode('DnsError', 'DNS_EAGAIN'), 'DnsError'],
    ['an error without a name as Error', Object.assign(new Error('x'), { name: '' }), 'Error'],
    ['a thrown value that is no error as Error', { message: 'odd' }, 'Error'],
  ])('names %s', async (_, error, reason) => {
    sns.on(GetTopicAttributesCommand).callsFake(() => Promise.reject(error));
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({ kind: 'unknown', reason });
  });

  it('cannot tell when the subscriptions may not be listed', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
    sns.on(ListSubscriptionsByTopicCommand).rejects(awsError('AuthorizationError'));
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.check(TOPIC)).resolves.toEqual({
      kind: 'unknown',
      reason: 'AuthorizationError',
    });
  });

  it('asks with one client per topic region and account, made when the first topic is seen', async () => {
    sns.on(GetTopicAttributesCommand).resolves({});
    sns.on(ListSubscriptionsByTopicCommand).resolves({});
    const made: string[] = [];
    const directory = new SnsTopicDirectory((region, account) => {
      made.push(`${account}/${region}`);
      return new SNSClient({ region });
    });

    await directory.check(TOPIC);
    await directory.check('arn:aws:sns:eu-west-1:111122223333:team-b-alerts');
    await directory.check('arn:aws:sns:us-east-2:111122223333:team-c-alerts');
    await directory.check('arn:aws:sns:eu-west-1:444455556666:team-d-alerts');
    await directory.check(TOPIC);

    expect(made).toEqual([
      '111122223333/eu-west-1',
      '111122223333/us-east-2',
      '444455556666/eu-west-1',
    ]);
    expect(sns.commandCalls(GetTopicAttributesCommand)).toHaveLength(5);
  });

  it("by default, asks with a client made for the topic's region", async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC } });
    const directory = new SnsTopicDirectory();

    await directory.check(TOPIC);

    const client = sns.call(0).thisValue as SNSClient;
    await expect(client.config.region()).resolves.toBe('eu-west-1');
  });
});

// Faults moto cannot produce (authorization, throttling); reading tags against moto is
// in the integration tests.
describe('SnsTopicDirectory.tagsOf', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it("reads the topic's tags as key -> value", async () => {
    sns.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: 'AcceptsClassificationAlerts', Value: 'true' },
        { Key: 'Team', Value: 'team-a' },
      ],
    });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.tagsOf(TOPIC)).resolves.toEqual({
      kind: 'read',
      tags: { AcceptsClassificationAlerts: 'true', Team: 'team-a' },
    });
    expect(sns.commandCalls(ListTagsForResourceCommand)[0]?.args[0].input).toEqual({
      ResourceArn: TOPIC,
    });
  });

  it('reads a topic without tags as no tags', async () => {
    sns.on(ListTagsForResourceCommand).resolves({});
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.tagsOf(TOPIC)).resolves.toEqual({ kind: 'read', tags: {} });
  });

  it('reads a tag without a value as an empty value', async () => {
    sns.on(ListTagsForResourceCommand).resolves({
      Tags: [{ Key: 'AcceptsClassificationAlerts' }, { Value: 'orphan' }] as never,
    });
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.tagsOf(TOPIC)).resolves.toStrictEqual({
      kind: 'read',
      tags: { AcceptsClassificationAlerts: '', '': 'orphan' },
    });
  });

  it.each([['ResourceNotFoundException'], ['NotFoundException']])(
    'says a topic SNS answers %s for does not exist',
    async (name) => {
      sns.on(ListTagsForResourceCommand).rejects(awsError(name));
      const directory = new SnsTopicDirectory(oneAttempt);

      await expect(directory.tagsOf(TOPIC)).resolves.toEqual({ kind: 'missing' });
    },
  );

  it.each([
    ['AuthorizationErrorException', 'client'],
    ['ThrottlingException', 'client'],
    ['InternalErrorException', 'server'],
  ] as const)('says the tags are unreadable after %s, without throwing', async (name, fault) => {
    sns.on(ListTagsForResourceCommand).rejects(awsError(name, name, fault));
    const directory = new SnsTopicDirectory(oneAttempt);

    await expect(directory.tagsOf(TOPIC)).resolves.toEqual({ kind: 'unreadable', reason: name });
  });
});

describe('CachedTopicTags', () => {
  const OPTED_IN: TopicTags = { kind: 'read', tags: { AcceptsClassificationAlerts: 'true' } };

  /** A reader answering from `answers` in turn, counting the reads per topic. */
  class ScriptedTags implements TopicTagReader {
    readonly reads: string[] = [];
    constructor(private readonly answers: TopicTags[]) {}
    async tagsOf(topicArn: string): Promise<TopicTags> {
      this.reads.push(topicArn);
      return this.answers.shift() ?? OPTED_IN;
    }
  }

  it('reads a topic once within the time to live (5 minutes by default)', async () => {
    const source = new ScriptedTags([OPTED_IN]);
    const clock = { now: 0 };
    const cached = new CachedTopicTags(source, undefined, () => clock.now);

    await cached.tagsOf(TOPIC);
    clock.now = 5 * 60_000 - 1;
    const again = await cached.tagsOf(TOPIC);

    expect(again).toEqual(OPTED_IN);
    expect(source.reads).toEqual([TOPIC]);
  });

  it('reads the topic again once the time to live is over', async () => {
    const untagged: TopicTags = { kind: 'read', tags: {} };
    const source = new ScriptedTags([OPTED_IN, untagged]);
    const clock = { now: 0 };
    const cached = new CachedTopicTags(source, undefined, () => clock.now);

    await cached.tagsOf(TOPIC);
    clock.now = 5 * 60_000;
    const later = await cached.tagsOf(TOPIC);

    expect(later).toEqual(untagged);
    expect(source.reads).toEqual([TOPIC, TOPIC]);
  });

  it('keeps each topic apart', async () => {
    const other = 'arn:aws:sns:eu-west-1:111122223333:team-b-alerts';
    const source = new ScriptedTags([OPTED_IN, { kind: 'read', tags: {} }]);
    const cached = new CachedTopicTags(source, 60_000, () => 0);

    await expect(cached.tagsOf(TOPIC)).resolves.toEqual(OPTED_IN);
    await expect(cached.tagsOf(other)).resolves.toEqual({ kind: 'read', tags: {} });
    await expect(cached.tagsOf(TOPIC)).resolves.toEqual(OPTED_IN);
    expect(source.reads).toEqual([TOPIC, other]);
  });

  it.each<[string, TopicTags]>([
    ['a failed read', { kind: 'unreadable', reason: 'AuthorizationErrorException' }],
    ['a missing topic', { kind: 'missing' }],
  ])('does not keep %s: the next publish asks again', async (_case, first) => {
    const source = new ScriptedTags([first, OPTED_IN]);
    const cached = new CachedTopicTags(source, 60_000, () => 0);

    await expect(cached.tagsOf(TOPIC)).resolves.toEqual(first);
    await expect(cached.tagsOf(TOPIC)).resolves.toEqual(OPTED_IN);
    expect(source.reads).toEqual([TOPIC, TOPIC]);
  });
});
