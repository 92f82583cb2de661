import { judgeTopicOptIn, optInTagText } from '../../../rules/topic-opt-in';

const TAG = { key: 'AcceptsClassificationAlerts', value: 'true' };

describe('judgeTopicOptIn', () => {
  it('finds a topic opted in when its tag has exactly the value', () => {
    const read = {
      kind: 'read',
      tags: { AcceptsClassificationAlerts: 'true', Team: 'a' },
    } as const;

    expect(judgeTopicOptIn(read, TAG)).toEqual({ kind: 'opted-in' });
  });

  it('finds a topic without the tag not opted in, with no value found to quote', () => {
    // Strict: a `found: undefined` would make the annotation quote a value that is not there.
    expect(judgeTopicOptIn({ kind: 'read', tags: { Team: 'a' } }, TAG)).toStrictEqual({
      kind: 'not-opted-in',
      tag: TAG,
    });
  });

  it.each([['True'], ['TRUE'], [' true'], ['true '], ['yes'], ['']])(
    'compares the value exactly, as IAM StringEquals does: %j is not opted in',
    (value) => {
      expect(
        judgeTopicOptIn({ kind: 'read', tags: { AcceptsClassificationAlerts: value } }, TAG),
      ).toEqual({ kind: 'not-opted-in', tag: TAG, found: value });
    },
  );

  it('compares the key exactly: another case is another tag', () => {
    expect(
      judgeTopicOptIn({ kind: 'read', tags: { acceptsclassificationalerts: 'true' } }, TAG),
    ).toEqual({ kind: 'not-opted-in', tag: TAG });
  });

  it('follows the configured key and value', () => {
    const tag = { key: 'security/alerts', value: 'Accepted' };

    expect(judgeTopicOptIn({ kind: 'read', tags: { 'security/alerts': 'Accepted' } }, tag)).toEqual(
      { kind: 'opted-in' },
    );
    expect(
      judgeTopicOptIn({ kind: 'read', tags: { AcceptsClassificationAlerts: 'true' } }, tag),
    ).toEqual({ kind: 'not-opted-in', tag });
  });

  it('says when the topic does not exist, or its tags could not be read', () => {
    expect(judgeTopicOptIn({ kind: 'missing' }, TAG)).toEqual({ kind: 'missing' });
    expect(judgeTopicOptIn({ kind: 'unreadable', reason: 'AuthorizationError' }, TAG)).toEqual({
      kind: 'unknown',
      reason: 'AuthorizationError',
    });
  });
});

describe('optInTagText', () => {
  it('writes the tag as key=value', () => {
    expect(optInTagText(TAG)).toBe('AcceptsClassificationAlerts=true');
  });
});
