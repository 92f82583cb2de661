import {
  routeAlert,
  routeByOptIn,
  topicAccountsFor,
  topicNeedingOptIn,
} from '../../../rules/alert-route';
import { KEYS } from './finding-builder';

const CENTRAL = 'arn:aws:sns:eu-west-1:999988887777:central-security';
const TEAM_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
const routing = { securityTopicArn: CENTRAL, allowedTopicAccounts: [] };

describe('routeAlert', () => {
  it("routes to the team's topic in the bucket's own account", () => {
    expect(routeAlert({ SupportSNSTopic: TEAM_TOPIC }, KEYS, '111122223333', routing)).toEqual({
      kind: 'team',
      topicArn: TEAM_TOPIC,
    });
  });

  it('trims the topic tag', () => {
    const route = routeAlert({ SupportSNSTopic: ` ${TEAM_TOPIC} ` }, KEYS, '111122223333', routing);

    expect(route).toEqual({ kind: 'team', topicArn: TEAM_TOPIC });
  });

  it.each([
    ['no topic tag', {}, 'TopicTagMissing'],
    ['a blank topic tag', { SupportSNSTopic: ' ' }, 'TopicTagMissing'],
    ['an e-mail address', { SupportSNSTopic: 'payments@example.com' }, 'TopicTagMalformed'],
    [
      'a queue ARN',
      { SupportSNSTopic: 'arn:aws:sqs:eu-west-1:111122223333:q' },
      'TopicTagMalformed',
    ],
    [
      'a topic in another account',
      { SupportSNSTopic: 'arn:aws:sns:eu-west-1:444455556666:elsewhere' },
      'TopicAccountNotAllowed',
    ],
  ])('falls back to central security for %s', (_, tags, reason) => {
    const route = routeAlert(tags, KEYS, '111122223333', routing);

    expect(route).toEqual(expect.objectContaining({ kind: 'fallback', topicArn: CENTRAL, reason }));
  });

  it('accepts topics in the allowed accounts, and only those, when a list is set', () => {
    const listed = { ...routing, allowedTopicAccounts: ['444455556666'] };

    expect(
      routeAlert(
        { SupportSNSTopic: 'arn:aws:sns:eu-west-1:444455556666:shared' },
        KEYS,
        '111122223333',
        listed,
      ).kind,
    ).toBe('team');
    expect(routeAlert({ SupportSNSTopic: TEAM_TOPIC }, KEYS, '111122223333', listed)).toEqual(
      expect.objectContaining({ reason: 'TopicAccountNotAllowed' }),
    );
  });

  it.each([
    [{}, 'the bucket has no SupportSNSTopic tag'],
    [
      { SupportSNSTopic: 'payments@example.com' },
      'the SupportSNSTopic tag is not an SNS topic ARN',
    ],
  ])('says why in the detail (%j)', (tags, detail) => {
    const route = routeAlert(tags, KEYS, '111122223333', routing);

    expect(route.kind === 'fallback' && route.detail).toBe(detail);
  });

  it('lists every allowed account in the detail, comma-separated', () => {
    const route = routeAlert(
      { SupportSNSTopic: 'arn:aws:sns:eu-west-1:444455556666:x' },
      KEYS,
      '111122223333',
      { ...routing, allowedTopicAccounts: ['111122223333', '777788889999'] },
    );

    expect(route.kind === 'fallback' && route.detail).toBe(
      'the SupportSNSTopic topic is in account 444455556666, which may not receive alerts (allowed: 111122223333, 777788889999)',
    );
  });

  it('names the tag key and the allowed accounts in the detail', () => {
    const route = routeAlert(
      { Alerts: 'arn:aws:sns:eu-west-1:444455556666:x' },
      { ...KEYS, topic: 'Alerts' },
      '111122223333',
      routing,
    );

    expect(route.kind === 'fallback' && route.detail).toBe(
      'the Alerts topic is in account 444455556666, which may not receive alerts (allowed: 111122223333)',
    );
  });

  it('falls back to central security when the tags could not be read, whatever they hold', () => {
    const route = routeAlert(
      { SupportSNSTopic: TEAM_TOPIC },
      KEYS,
      '111122223333',
      routing,
      'AccessDenied',
    );

    expect(route).toEqual({
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TagsUnreadable',
      detail: "the bucket's tags could not be read (AccessDenied)",
    });
  });
});

describe('topicNeedingOptIn', () => {
  it("names a team's topic", () => {
    expect(topicNeedingOptIn({ kind: 'team', topicArn: TEAM_TOPIC }, CENTRAL)).toBe(TEAM_TOPIC);
  });

  it('trusts the central security topic, even on a team route', () => {
    expect(topicNeedingOptIn({ kind: 'team', topicArn: CENTRAL }, CENTRAL)).toBeUndefined();
  });

  it('has nothing to check on a fallback', () => {
    const fallback = {
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TopicTagMissing',
      detail: 'the bucket has no SupportSNSTopic tag',
    } as const;

    expect(topicNeedingOptIn(fallback, CENTRAL)).toBeUndefined();
  });
});

describe('routeByOptIn', () => {
  const team = { kind: 'team', topicArn: TEAM_TOPIC } as const;
  const tag = { key: 'AcceptsClassificationAlerts', value: 'true' };

  it("keeps the team's topic when it opted in", () => {
    expect(routeByOptIn(team, { kind: 'opted-in' }, CENTRAL)).toEqual(team);
  });

  it('sends to central security, naming the tag to add, when the topic has not opted in', () => {
    expect(routeByOptIn(team, { kind: 'not-opted-in', tag }, CENTRAL)).toEqual({
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TopicNotOptedIn',
      detail: `the team topic ${TEAM_TOPIC} has not opted in to alerts (it needs the tag AcceptsClassificationAlerts=true)`,
    });
  });

  it('sends to central security when the topic does not exist', () => {
    expect(routeByOptIn(team, { kind: 'missing' }, CENTRAL)).toEqual({
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TopicNotOptedIn',
      detail: `the team topic ${TEAM_TOPIC} does not exist`,
    });
  });

  it("sends to central security when the topic's tags could not be read", () => {
    expect(routeByOptIn(team, { kind: 'unknown', reason: 'AuthorizationError' }, CENTRAL)).toEqual({
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TopicTagsUnreadable',
      detail: `the tags of the team topic ${TEAM_TOPIC} could not be read (AuthorizationError), so its opt-in is unknown`,
    });
  });

  it('leaves a fallback as it is', () => {
    const fallback = {
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TopicTagMalformed',
      detail: 'the SupportSNSTopic tag is not an SNS topic ARN',
    } as const;

    expect(routeByOptIn(fallback, { kind: 'not-opted-in', tag }, CENTRAL)).toEqual(fallback);
  });
});

describe('topicAccountsFor: the accounts whose topics the roles may publish to', () => {
  const BUCKET = '111122223333';
  const CENTRAL_ACCOUNT = '999988887777';
  const ORGANIZATION = { organizationId: 'o-abcdef1234' };

  it('is the explicit list when there is one, in any deployment', () => {
    const allowed = ['444455556666', '777788889999'];
    for (const extra of [
      {},
      { centralAccountId: CENTRAL_ACCOUNT },
      { organization: ORGANIZATION },
    ]) {
      expect(
        topicAccountsFor(BUCKET, {
          securityTopicArn: CENTRAL,
          allowedTopicAccounts: allowed,
          ...extra,
        }),
      ).toEqual(allowed);
    }
  });

  it("is the bucket's own account in an organisation, whichever member it is", () => {
    const policy = {
      securityTopicArn: CENTRAL,
      allowedTopicAccounts: [],
      centralAccountId: CENTRAL_ACCOUNT,
      organization: ORGANIZATION,
    };
    expect(topicAccountsFor(BUCKET, policy)).toEqual([BUCKET]);
    expect(topicAccountsFor('444455556666', policy)).toEqual(['444455556666']);
  });

  it("is the bucket's own account in a deployment for that account, and none for another account's bucket", () => {
    const policy = {
      securityTopicArn: CENTRAL,
      allowedTopicAccounts: [],
      centralAccountId: CENTRAL_ACCOUNT,
    };
    expect(topicAccountsFor(CENTRAL_ACCOUNT, policy)).toEqual([CENTRAL_ACCOUNT]);
    expect(topicAccountsFor(BUCKET, policy)).toEqual([]);
  });

  it("is the bucket's own account when the central account is not known", () => {
    expect(topicAccountsFor(BUCKET, routing)).toEqual([BUCKET]);
  });
});

describe('routeAlert across accounts', () => {
  const MEMBER_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
  const single = {
    securityTopicArn: CENTRAL,
    allowedTopicAccounts: [],
    centralAccountId: '999988887777',
  };
  /** The route of a bucket outside a deployment for one account, whatever its topic. */
  const OUTSIDE_DEPLOYMENT = {
    kind: 'fallback',
    topicArn: CENTRAL,
    reason: 'TopicAccountNotAllowed',
    detail:
      "the bucket is in account 111122223333, outside this deployment (account 999988887777): its team's topic may receive alerts once the deployment covers the organisation, or lists the account in ALLOWED_TOPIC_ACCOUNTS",
  };

  it("routes a member bucket to its own account's topic in an organisation", () => {
    const route = routeAlert({ SupportSNSTopic: MEMBER_TOPIC }, KEYS, '111122223333', {
      ...single,
      organization: { organizationId: 'o-abcdef1234' },
    });

    expect(route).toEqual({ kind: 'team', topicArn: MEMBER_TOPIC });
  });

  it('sends another account’s bucket to central security in a deployment for one account, saying what to change', () => {
    const route = routeAlert({ SupportSNSTopic: MEMBER_TOPIC }, KEYS, '111122223333', single);

    expect(route).toEqual(OUTSIDE_DEPLOYMENT);
  });

  it('also for a topic of the central account: a bucket outside the deployment may not choose it', () => {
    const route = routeAlert(
      { SupportSNSTopic: 'arn:aws:sns:eu-west-1:999988887777:security-team' },
      KEYS,
      '111122223333',
      single,
    );

    expect(route).toEqual(OUTSIDE_DEPLOYMENT);
  });

  it('still names a missing or malformed tag first for such a bucket', () => {
    expect(routeAlert({}, KEYS, '111122223333', single)).toMatchObject({
      reason: 'TopicTagMissing',
    });
    expect(routeAlert({ SupportSNSTopic: 'payments' }, KEYS, '111122223333', single)).toMatchObject(
      { reason: 'TopicTagMalformed' },
    );
  });
});
