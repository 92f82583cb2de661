import { loadPolicy } from '../../../policies/load-policy';
import { raiseSeverity, severityOfGap, worstSeverity } from '../../../rules/severity';

const { severity: table } = loadPolicy();
const at = (rank: number) => ({ kind: 'level' as const, level: `L${rank}`, rank });

describe('severityOfGap', () => {
  it('is undefined when the type is allowed at the declared level', () => {
    expect(severityOfGap(table, at(2), 2)).toBeUndefined();
    expect(severityOfGap(table, at(1), 3)).toBeUndefined();
  });

  it.each([
    [1, 'Medium'],
    [2, 'High'],
    [3, 'Critical'],
  ])('maps a gap of %i levels to %s', (gap, severity) => {
    expect(severityOfGap(table, at(gap), 0)).toBe(severity);
  });

  it('uses the last entry for a gap wider than the table', () => {
    expect(severityOfGap({ ...table, levelGap: ['Low'] }, at(3), 0)).toBe('Low');
  });

  it('gives forbidden types the forbidden severity at any level', () => {
    expect(severityOfGap(table, { kind: 'forbidden' }, 3)).toBe('Critical');
  });

  it("takes a forbidden type's severity from the table's forbidden entry, not from a gap", () => {
    expect(severityOfGap({ ...table, forbidden: 'High' }, { kind: 'forbidden' }, 0)).toBe('High');
  });
});

describe('worstSeverity', () => {
  it('picks the highest and skips undefined', () => {
    expect(worstSeverity(['Low', undefined, 'High', 'Medium'])).toBe('High');
  });

  it('is undefined for nothing', () => {
    expect(worstSeverity([undefined])).toBeUndefined();
  });
});

describe('raiseSeverity', () => {
  it('raises by the given steps and caps at Critical', () => {
    expect(raiseSeverity('Low', 1)).toBe('Medium');
    expect(raiseSeverity('Medium', 2)).toBe('Critical');
    expect(raiseSeverity('High', 3)).toBe('Critical');
  });

  it('leaves the severity alone for zero or negative steps', () => {
    expect(raiseSeverity('Medium', 0)).toBe('Medium');
    expect(raiseSeverity('Medium', -1)).toBe('Medium');
  });
});
