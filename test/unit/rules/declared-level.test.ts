import { parsePolicy } from '../../../policies/load-policy';
import { declaredLevelOf } from '../../../rules/declared-level';

const policy = parsePolicy(
  `
levels:
  - name: Public
  - name: Internal
    aliases: [Private, staff-only]
  - name: Confidential
categories: {}
unknownCategory: Confidential
customIdentifiers: {default: Confidential}
severity: {levelGap: [Medium, High], forbidden: Critical, unclassified: High, publicExposureRaise: 1}
`,
  'aliases.yaml',
);

describe('declaredLevelOf', () => {
  it.each([['Internal'], ['internal'], [' INTERNAL '], ['private'], ['Staff-Only']])(
    'reads %j as Internal',
    (value) => {
      expect(declaredLevelOf(policy, value)).toEqual({
        kind: 'declared',
        level: 'Internal',
        rank: 1,
      });
    },
  );

  it.each([[undefined], [''], ['  ']])('reads %j as missing', (value) => {
    expect(declaredLevelOf(policy, value)).toEqual({ kind: 'missing' });
  });

  it('keeps an unknown value as given', () => {
    expect(declaredLevelOf(policy, ' Secret ')).toEqual({ kind: 'unknown', value: ' Secret ' });
  });

  it('does not accept a level with inner spaces changed', () => {
    expect(declaredLevelOf(policy, 'staff only').kind).toBe('unknown');
  });
});
