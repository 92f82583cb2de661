import { teamOf, UNASSIGNED_TEAM } from '../../../rules/team';
import { KEYS } from './finding-builder';

describe('teamOf', () => {
  const topic = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';

  it('prefers the Team tag, trimmed', () => {
    expect(teamOf({ Team: '  payments ', SupportSNSTopic: topic }, KEYS)).toBe('payments');
  });

  it('falls back to the topic name when there is no Team tag', () => {
    expect(teamOf({ SupportSNSTopic: topic }, KEYS)).toBe('payments-alerts');
  });

  it('falls back to the topic name when the Team tag is blank', () => {
    expect(teamOf({ Team: '  ', SupportSNSTopic: topic }, KEYS)).toBe('payments-alerts');
  });

  it('is unassigned when the topic tag is not a topic ARN', () => {
    expect(teamOf({ SupportSNSTopic: 'payments@example.com' }, KEYS)).toBe(UNASSIGNED_TEAM);
  });

  it('is unassigned without tags', () => {
    expect(teamOf({}, KEYS)).toBe('unassigned');
  });

  it('reads the configured keys', () => {
    expect(teamOf({ owner: 'data', Team: 'other' }, { ...KEYS, team: 'owner' })).toBe('data');
  });
});
