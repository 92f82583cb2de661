import { parseBenchArgs, selectSections } from '../../../bench/options';

const sections = ['cost', 'peer', 'zeta', 'cli', 'handler', 'coldStart', 'configRule'].map(
  (name) => ({ name }),
);

describe('bench options', () => {
  it('reads --check and --only in either spelling', () => {
    expect(parseBenchArgs([])).toEqual({ check: false });
    expect(parseBenchArgs(['--check', '--only', 'cli, cost'])).toEqual({
      check: true,
      only: ['cli', 'cost'],
    });
    expect(parseBenchArgs(['--only=coldStart'])).toEqual({ check: false, only: ['coldStart'] });
  });

  it('refuses --only without a list and any other argument', () => {
    expect(() => parseBenchArgs(['--only'])).toThrow('--only needs a comma-separated list');
    expect(() => parseBenchArgs(['--only='])).toThrow('--only needs a comma-separated list');
    expect(() => parseBenchArgs(['--fast'])).toThrow('unknown argument "--fast"');
  });

  it('runs the known sections in order, others after them, and cost last', () => {
    expect(selectSections(sections).map(({ name }) => name)).toEqual([
      'cli',
      'coldStart',
      'handler',
      'configRule',
      'peer',
      'zeta',
      'cost',
    ]);
  });

  it('keeps only the sections named, still in order', () => {
    expect(selectSections(sections, ['cost', 'cli']).map(({ name }) => name)).toEqual([
      'cli',
      'cost',
    ]);
  });

  it('names a section that does not exist, and lists those that do', () => {
    expect(() => selectSections(sections, ['cli', 'nope'])).toThrow(
      '--only names no section "nope"; the sections are cli, coldStart, configRule, cost, handler, peer, zeta',
    );
  });
});
