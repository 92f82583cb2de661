import { duplicatesNote, FindingIds } from '../../../bin/finding-ids';
import { runCli as run } from '../../support/cli';
import { useCliWorkspace } from '../../support/cli-workspace';

describe('FindingIds', () => {
  it('takes an id the first time and counts every later copy', () => {
    const ids = new FindingIds();

    expect(ids.firstSighting('a')).toBe(true);
    expect(ids.firstSighting('b')).toBe(true);
    expect(ids.firstSighting('a')).toBe(false);
    expect(ids.firstSighting('a')).toBe(false);
    expect(ids.duplicates).toBe(2);
  });

  it('tells long ids apart, and never takes a short id for a long one', () => {
    const ids = new FindingIds();
    const long = 'x'.repeat(200);

    expect(ids.firstSighting(long)).toBe(true);
    expect(ids.firstSighting(`${long}y`)).toBe(true);
    expect(ids.firstSighting(long)).toBe(false);
    // The SHA-256 of the long id, as a short id of its own, is another finding.
    expect(
      ids.firstSighting('aa20c23e3201834050679e1d88941b9a6fed0557c9a705cb2c315e2e63fd486d'),
    ).toBe(true);
    expect(ids.duplicates).toBe(1);
  });

  it('counts an id of 128 characters as itself and one of 129 by its digest, alike', () => {
    const ids = new FindingIds();

    expect(ids.firstSighting('y'.repeat(128))).toBe(true);
    expect(ids.firstSighting('y'.repeat(128))).toBe(false);
    expect(ids.firstSighting('y'.repeat(129))).toBe(true);
    expect(ids.firstSighting('y'.repeat(129))).toBe(false);
  });
});

describe('duplicatesNote', () => {
  it('counts in words', () => {
    expect(duplicatesNote(1)).toBe('1 duplicate finding (same id) counted once\n');
    expect(duplicatesNote(3)).toBe('3 duplicate findings (same id) counted once\n');
  });
});

interface JsonReport {
  results: Array<{ findingId: string; source: string; verdict: string }>;
  summary: {
    findings: number;
    buckets: number;
    filteredOut: number;
    unreadableRecords: number;
    duplicates: number;
  };
}

describe('check: a finding read more than once', () => {
  const workspace = useCliWorkspace();

  const writeExport = workspace.writeEventLines;

  it('is judged once when two exports hold it, and the summary counts it once', async () => {
    const first = writeExport('monday.jsonl', ['sensitive-financial.json']);
    const second = writeExport('tuesday.jsonl', ['sensitive-financial.json']);

    const { code, stdout, stderr } = await run('check', first, second, '--format', 'json');

    const report = JSON.parse(stdout) as JsonReport;
    expect(report.results.map((result) => result.source)).toEqual([`${first}:1`]);
    expect(report.summary.findings).toBe(1);
    expect(report.summary.buckets).toBe(1);
    expect(report.summary.duplicates).toBe(1);
    expect(stderr).toBe('1 duplicate finding (same id) counted once\n');
    expect(code).toBe(0);
  });

  it('keeps the first copy read, whatever the copies say', async () => {
    const first = writeExport('first.jsonl', ['sensitive-financial.json']);
    const second = writeExport('second.jsonl', ['sensitive-financial.json'], (event) => {
      event.detail.archived = true;
      event.detail.updatedAt = '2030-01-01T00:00:00Z';
    });

    const { stdout } = await run('check', first, second, '--format', 'json');

    const report = JSON.parse(stdout) as JsonReport;
    expect(report.results.map(({ verdict, source }) => [verdict, source])).toEqual([
      ['violation', `${first}:1`],
    ]);
  });

  it('counts every skipped copy, in the totals of the table too', async () => {
    const both = writeExport('both.jsonl', [
      'sensitive-financial.json',
      'sensitive-multiple-categories.json',
    ]);
    const again = writeExport('again.jsonl', [
      'sensitive-multiple-categories.json',
      'sensitive-financial.json',
    ]);
    const once = writeExport('once-more.jsonl', ['sensitive-financial.json']);

    const { code, stdout, stderr } = await run('check', both, again, once);

    expect(stdout).toContain('2 findings in 2 buckets');
    expect(stderr).toBe('3 duplicate findings (same id) counted once\n');
    expect(code).toBe(0);
  });

  it('counts a copy in the same file, and one read from a directory and by name', async () => {
    const file = writeExport('exports/twice.jsonl', [
      'sensitive-financial.json',
      'sensitive-financial.json',
    ]);

    const { stdout, stderr } = await run(
      'check',
      `${workspace.dir.path}/exports`,
      file,
      '--format',
      'json',
    );

    expect((JSON.parse(stdout) as JsonReport).summary).toMatchObject({
      findings: 1,
      duplicates: 3,
    });
    expect(stderr).toBe('3 duplicate findings (same id) counted once\n');
  });

  it('judges findings with different ids each, even for the same object', async () => {
    const file = writeExport(
      'rescan.jsonl',
      ['sensitive-financial.json', 'sensitive-financial.json'],
      (event) => {
        event.detail.id = `${event.detail.id}-${Math.random()}`;
      },
    );

    const { stdout, stderr } = await run('check', file, '--format', 'json');

    expect((JSON.parse(stdout) as JsonReport).summary).toMatchObject({
      findings: 2,
      duplicates: 0,
    });
    expect(stderr).toBe('');
  });

  it('skips a copy of a finding the filters left out, counting it out once', async () => {
    const file = writeExport('filtered.jsonl', [
      'sensitive-financial.json',
      'sensitive-financial.json',
    ]);

    const { code, stdout, stderr } = await run(
      'check',
      file,
      '--verdict',
      'compliant',
      '--format',
      'json',
    );

    const { summary } = JSON.parse(stdout) as JsonReport;
    expect([summary.findings, summary.filteredOut, summary.duplicates]).toEqual([0, 1, 1]);
    expect(stderr).toBe('1 duplicate finding (same id) counted once\n');
    expect(code).toBe(0);
  });

  it('reports every unreadable record, even two alike', async () => {
    const file = workspace.dir.write('bad.jsonl', '{"id": "x"}\n{"id": "x"}\n');

    const { code, stdout } = await run('check', file, '--format', 'json');

    expect((JSON.parse(stdout) as JsonReport).summary.unreadableRecords).toBe(2);
    expect(code).toBe(2);
  });
});
