import { atMost, limitOf } from '../../../bench/budget-limits';

describe('atMost', () => {
  const budget = atMost('cli.parseOnlyRatio', 1.5, 'check against reading');

  it('is met at and below its limit', () => {
    expect(budget.check(1.5)).toBeUndefined();
    expect(budget.check(0.2)).toBeUndefined();
  });

  it('is missed above its limit, naming the figure, the value and the limit', () => {
    expect(budget.check(1.51)).toBe(
      'cli.parseOnlyRatio is 1.51, over its budget of 1.5 (check against reading)',
    );
  });

  it('is missed when the figure is not a number', () => {
    expect(budget.check(undefined)).toBe('cli.parseOnlyRatio was not measured (got undefined)');
    expect(budget.check(Number.NaN)).toBe('cli.parseOnlyRatio was not measured (got NaN)');
    expect(budget.check('1')).toBe('cli.parseOnlyRatio was not measured (got "1")');
  });

  it('says what it allows, and a budget that does not is shown as checked', () => {
    expect(limitOf(budget)).toBe('<= 1.5');
    expect(limitOf({ key: 'x', check: () => undefined })).toBe('checked');
  });
});
