import { atMost } from '../../../bench/budget-limits';
import { checkBudgets, flatten, formatTable, formatValue, valueAt } from '../../../bench/report';

const figures = {
  cli: { parseOnlyRatio: 1.2345, peakRssMb: { '10k': 100, '50k': 140 } },
  cost: { assumed: ['findingMs', 'findingMix'] },
};

describe('bench report', () => {
  it('flattens nested figures to dotted keys, in order', () => {
    expect(flatten(figures)).toEqual([
      ['cli.parseOnlyRatio', 1.2345],
      ['cli.peakRssMb.10k', 100],
      ['cli.peakRssMb.50k', 140],
      ['cost.assumed', ['findingMs', 'findingMix']],
    ]);
  });

  it('finds a figure by its dotted key, and nothing past a leaf', () => {
    expect(valueAt(figures, 'cli.peakRssMb.50k')).toBe(140);
    expect(valueAt(figures, 'cli.peakRssMb')).toEqual({ '10k': 100, '50k': 140 });
    expect(valueAt(figures, 'cli.parseOnlyRatio.more')).toBeUndefined();
    expect(valueAt(figures, 'handler.p50Ms')).toBeUndefined();
  });

  it('holds each budget against its figure and says why one is missed', () => {
    const results = checkBudgets(figures, [
      atMost('cli.parseOnlyRatio', 1.5),
      atMost('cli.peakRssMb.50k', 125),
      atMost('handler.p50Ms', 10),
    ]);
    expect(results).toEqual([
      { key: 'cli.parseOnlyRatio', value: 1.2345, limit: '<= 1.5' },
      {
        key: 'cli.peakRssMb.50k',
        value: 140,
        limit: '<= 125',
        missed: 'cli.peakRssMb.50k is 140, over its budget of 125',
      },
      {
        key: 'handler.p50Ms',
        value: undefined,
        limit: '<= 10',
        missed: 'handler.p50Ms was not measured (got undefined)',
      },
    ]);
  });

  it('shows numbers with three significant digits, lists joined, text as it is', () => {
    expect(formatValue(1.23456)).toBe('1.23');
    expect(formatValue(0.0123456)).toBe('0.0123');
    expect(formatValue(1234.56)).toBe('1235');
    expect(formatValue(['a', 'b'])).toBe('a, b');
    expect(formatValue('arm64')).toBe('arm64');
  });

  it('prints one row per figure with its budget and whether it was met', () => {
    const results = checkBudgets(figures, [
      atMost('cli.parseOnlyRatio', 1.5),
      atMost('cli.peakRssMb.50k', 125),
      atMost('handler.p50Ms', 10),
    ]);
    expect(formatTable(figures, results).split('\n')).toEqual([
      'key                 value                  budget  ok',
      '------------------  ---------------------  ------  ---',
      'cli.parseOnlyRatio  1.23                   <= 1.5  yes',
      'cli.peakRssMb.10k   100',
      'cli.peakRssMb.50k   140                    <= 125  NO',
      'cost.assumed        findingMs, findingMix',
      'handler.p50Ms       missing                <= 10   NO',
    ]);
  });

  it('shows a budget on a group of figures after their rows, not as missing', () => {
    const grouped = { calls: { compliant: { dynamodb: 1 } } };
    const results = checkBudgets(grouped, [
      { key: 'calls.compliant', check: () => undefined },
      { key: 'calls.repeat', check: () => 'no figure' },
    ]);
    expect(formatTable(grouped, results).split('\n')).toEqual([
      'key                       value                budget   ok',
      '------------------------  -------------------  -------  ---',
      'calls.compliant.dynamodb  1',
      'calls.compliant           (the figures above)  checked  yes',
      'calls.repeat              missing              checked  NO',
    ]);
  });

  it('lets a value longer than 60 characters run past its column', () => {
    const long = 'x'.repeat(70);
    expect(formatTable({ a: 1, list: long }, []).split('\n')).toEqual([
      `key   value${' '.repeat(57)}budget  ok`,
      `----  ${'-'.repeat(60)}  ------  --`,
      'a     1',
      `list  ${long}`,
    ]);
  });
});
