import type { Summary } from '../../../bin/report';
import { parseCsv, runCli as run } from '../../support/cli';
import { useCliWorkspace } from '../../support/cli-workspace';
import {
  EXAMPLE_BUCKET_TAGS,
  exampleFindingsPath,
  loadMacieEvent,
  type RawEvent,
} from '../../support/fixtures';

const EXAMPLES = exampleFindingsPath();
/** `check` on the example findings and bucket tags, with `options`. */
function checkExamples(...options: string[]) {
  return run('check', EXAMPLES, '--tags', EXAMPLE_BUCKET_TAGS, ...options);
}

interface JsonSummaryReport {
  readonly groupBy: string;
  readonly groups: Array<Record<string, unknown>>;
  readonly errors: unknown[];
  readonly summary: Summary;
}

/** Rows of an aligned text table after its heading, up to the blank line before the totals. */
function tableRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  return lines.slice(0, lines.indexOf('')).map((line) => line.split(/ {2,}/));
}

/** The cells of each row of a Markdown table (heading and separator included). */
function markdownRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((cell) => cell.trim()),
    );
}

/**
 * Every team of the examples with its buckets, violations Critical/High/Medium/Low
 * and unclassified buckets (the sample finding counts nowhere; ignored findings
 * neither), as in the table "Expected verdicts" of examples/README.md.
 */
const TEAM_SUMMARY = [
  ['TEAM', 'BUCKETS', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNCLASSIFIED'],
  ['platform', '1', '1', '0', '0', '0', '0'],
  ['web', '1', '1', '0', '0', '0', '0'],
  ['data-platform', '1', '0', '1', '2', '0', '0'],
  ['people-ops', '1', '0', '1', '1', '0', '0'],
  ['payments', '1', '0', '0', '1', '0', '0'],
  ['legacy-share-alerts', '1', '0', '0', '0', '0', '1'],
  ['research', '1', '0', '0', '0', '0', '1'],
  ['analytics', '1', '0', '0', '0', '0', '0'],
  ['security', '1', '0', '0', '0', '0', '0'],
];

describe('check reports', () => {
  const workspace = useCliWorkspace();

  /** One event of sensitive-financial.json (card numbers in a Confidential bucket) per edit. */
  function writeFindings(...edits: Array<(event: RawEvent) => void>): string {
    const events = edits.map((edit) => {
      const event = loadMacieEvent('sensitive-financial.json');
      edit(event);
      return event;
    });
    return workspace.dir.write('findings.json', JSON.stringify(events));
  }

  function tagged(bucket: string, team: string): (event: RawEvent) => void {
    return (event) => {
      event.detail.resourcesAffected.s3Bucket.name = bucket;
      event.detail.resourcesAffected.s3Bucket.tags = [
        { key: 'DataClassification', value: 'Confidential' },
        { key: 'Team', value: team },
      ];
    };
  }

  describe('--summary', () => {
    it('team: one row per team, worst first, then the totals', async () => {
      const { stdout, code } = await checkExamples('--summary', 'team');

      expect(code).toBe(0);
      expect(tableRows(stdout)).toEqual(TEAM_SUMMARY);
      expect(stdout.split('\n')).toContain(
        '14 findings in 9 buckets: 9 violations, 2 unclassified, 1 compliant, 2 ignored.',
      );
    });

    it('account: one row per account, the one with more High first when Critical ties', async () => {
      const { stdout } = await checkExamples('--summary', 'account');

      expect(tableRows(stdout)).toEqual([
        ['ACCOUNT', 'BUCKETS', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNCLASSIFIED'],
        ['111122223333', '8', '1', '2', '4', '0', '2'],
        ['444455556666', '1', '1', '0', '0', '0', '0'],
      ]);
    });

    it('bucket: one row per bucket', async () => {
      const { stdout } = await checkExamples('--summary', 'bucket');

      const rows = tableRows(stdout);
      expect(rows[0]).toEqual([
        'BUCKET',
        'BUCKETS',
        'CRITICAL',
        'HIGH',
        'MEDIUM',
        'LOW',
        'UNCLASSIFIED',
      ]);
      expect(rows).toHaveLength(1 + 9);
      expect(rows.find(([bucket]) => bucket === 'acme-data-lake-raw')).toEqual([
        'acme-data-lake-raw',
        '1',
        '0',
        '1',
        '2',
        '0',
        '0',
      ]);
      expect(rows.find(([bucket]) => bucket === 'macie-sample-finding-bucket')).toEqual([
        'macie-sample-finding-bucket',
        '1',
        '0',
        '0',
        '0',
        '0',
        '0',
      ]);
    });

    it('in JSON: the groups keyed by what they group, the errors and the totals', async () => {
      const { stdout } = await checkExamples('--summary', 'account', '--format', 'json');

      const report = JSON.parse(stdout) as JsonSummaryReport;
      expect(report.groupBy).toBe('account');
      expect(report.groups).toEqual([
        {
          accountId: '111122223333',
          buckets: 8,
          violations: { Critical: 1, High: 2, Medium: 4, Low: 0 },
          unclassifiedBuckets: 2,
        },
        {
          accountId: '444455556666',
          buckets: 1,
          violations: { Critical: 1, High: 0, Medium: 0, Low: 0 },
          unclassifiedBuckets: 0,
        },
      ]);
      expect(report.errors).toEqual([]);
      expect(report.summary).toMatchObject({ findings: 14, buckets: 9, filteredOut: 0 });
    });

    it('in CSV: a header and one row per team', async () => {
      const { stdout } = await checkExamples('--summary', 'team', '--format', 'csv');

      const [header, ...rows] = parseCsv(stdout);
      expect(header).toEqual([
        'team',
        'buckets',
        'Critical',
        'High',
        'Medium',
        'Low',
        'unclassifiedBuckets',
      ]);
      expect(rows).toEqual(TEAM_SUMMARY.slice(1));
    });

    it('in Markdown: the totals line, then the table of teams', async () => {
      const { stdout } = await checkExamples('--summary', 'team', '--format', 'markdown');

      const [heading, separator, ...rows] = markdownRows(stdout);
      expect(stdout.split('\n')[0]).toMatch(/^14 findings in 9 buckets: /);
      expect(heading).toEqual([
        'Team',
        'Buckets',
        'Critical',
        'High',
        'Medium',
        'Low',
        'Unclassified',
      ]);
      expect(separator).toEqual(['---', '---:', '---:', '---:', '---:', '---:', '---:']);
      expect(rows).toEqual(TEAM_SUMMARY.slice(1));
    });

    it('in HTML: one table of teams instead of a table per team', async () => {
      const { stdout } = await checkExamples('--summary', 'team', '--format', 'html');

      expect(stdout).toContain('<h2>By team</h2>');
      expect(stdout).not.toContain('<h2>Team ');
      expect(stdout).toContain(
        '<tr><td>data-platform</td><td class="n">1</td><td class="n">0</td><td class="n">1</td><td class="n">2</td><td class="n">0</td><td class="n">0</td></tr>',
      );
    });

    it('puts the buckets whose findings were all ignored under no team', async () => {
      const file = writeFindings((event) => {
        tagged('acme-archived', 'web')(event);
        event.detail.archived = true;
      });

      const { stdout } = await run('check', file, '--summary', 'team');

      expect(tableRows(stdout)[1]).toEqual(['-', '1', '0', '0', '0', '0', '0']);
    });
  });

  describe('filters', () => {
    it('--severity keeps the results of those severities, before the report and its totals', async () => {
      const { stdout, code } = await checkExamples(
        '--severity',
        'Critical,High',
        '--format',
        'json',
      );

      const { results, summary } = JSON.parse(stdout) as {
        results: Array<{ bucket: string; severity: string }>;
        summary: Summary;
      };
      expect([...new Set(results.map((r) => r.severity))].sort()).toEqual(['Critical', 'High']);
      expect(results).toHaveLength(7);
      expect(summary).toMatchObject({
        findings: 7,
        filteredOut: 7,
        verdicts: { violation: 5, unclassified: 2, compliant: 0, ignored: 0 },
      });
      expect(code).toBe(0);
    });

    it('takes severities, verdicts and groupings in any case', async () => {
      const { stdout, code } = await checkExamples(
        '--severity',
        'critical,HIGH',
        '--verdict',
        'Violation',
        '--summary',
        'Account',
      );

      expect(code).toBe(0);
      expect(tableRows(stdout)).toEqual([
        ['ACCOUNT', 'BUCKETS', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNCLASSIFIED'],
        ['111122223333', '4', '1', '2', '0', '0', '0'],
        ['444455556666', '1', '1', '0', '0', '0', '0'],
      ]);
    });

    it('--verdict keeps the results of those verdicts', async () => {
      const { stdout } = await checkExamples('--verdict', 'unclassified');

      expect(tableRows(stdout).map(([bucket]) => bucket)).toEqual([
        'BUCKET',
        'acme-legacy-share',
        'acme-scratch-space',
      ]);
      expect(stdout).toContain('12 finding(s) left out by --severity, --verdict or --team.');
    });

    it('--verdict takes every verdict the rules give', async () => {
      const { stdout } = await checkExamples(
        '--verdict',
        'violation,unclassified,compliant,ignored',
        '--format',
        'json',
      );

      expect((JSON.parse(stdout) as { summary: Summary }).summary).toMatchObject({
        findings: 14,
        filteredOut: 0,
      });
    });

    it('--team keeps the teams named, ignoring case, and the summary counts only them', async () => {
      const { stdout } = await checkExamples('--team', 'Payments, web', '--summary', 'team');

      expect(tableRows(stdout)).toEqual([
        TEAM_SUMMARY[0],
        ['web', '1', '1', '0', '0', '0', '0'],
        ['payments', '1', '0', '0', '1', '0', '0'],
      ]);
    });

    it('combines the filters: every one must hold', async () => {
      const { stdout } = await checkExamples(
        '--team',
        'data-platform,payments',
        '--severity',
        'Medium',
        '--verdict',
        'violation',
        '--format',
        'csv',
      );

      const [header = [], ...rows] = parseCsv(stdout);
      const column = (name: string) => header.indexOf(name);
      expect(
        rows.map((row) => `${row[column('bucket')]} ${row[column('severity')]}`).sort(),
      ).toEqual([
        'acme-data-lake-raw Medium',
        'acme-data-lake-raw Medium',
        'acme-payments-exports Medium',
      ]);
    });

    it('holds only the results kept against --fail-on', async () => {
      const kept = await checkExamples('--team', 'payments', '--fail-on', 'High');
      const all = await checkExamples('--fail-on', 'High');

      expect(kept.code).toBe(0);
      expect(all.code).toBe(1);
    });

    it('exits 0 when the filters leave nothing: the findings were read', async () => {
      const { stdout, code } = await checkExamples('--verdict', 'compliant', '--team', 'web');

      expect(stdout).toContain('0 findings in 0 buckets:');
      expect(stdout).toContain('14 finding(s) left out by --severity, --verdict or --team.');
      expect(code).toBe(0);
    });

    it('notes on stderr a --team that matched no finding', async () => {
      const { stderr, code } = await checkExamples('--team', 'web,paymnts');

      expect(stderr).toBe('note: --team "paymnts" matched no finding\'s team\n');
      expect(code).toBe(0);
    });

    it.each([
      [
        '--severity',
        'High,Severe',
        '--severity takes a comma-separated list of Low, Medium, High, Critical; got "Severe"',
      ],
      [
        '--verdict',
        'violations',
        '--verdict takes a comma-separated list of violation, unclassified, compliant, ignored; got "violations"',
      ],
      ['--verdict', ',', '--verdict needs at least one value'],
      ['--team', ' , ', '--team needs at least one value'],
      ['--summary', 'org', '--summary must be one of team, account, bucket; got "org"'],
      ['--format', 'pdf', '--format must be one of table, json, csv, markdown, html; got "pdf"'],
    ])('%s %j is a usage error naming the valid values', async (option, value, message) => {
      const { code, stdout, stderr } = await checkExamples(option, value);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n')[0]).toBe(`bucket-classification: ${message}`);
    });
  });

  describe('--format markdown', () => {
    it('writes the totals line, then one row per bucket, worst first', async () => {
      const { stdout, code } = await checkExamples('--format', 'markdown');

      const lines = stdout.split('\n');
      const [heading, separator, ...rows] = markdownRows(stdout);
      expect(code).toBe(0);
      expect(lines[0]).toBe(
        '14 findings in 9 buckets: 9 violations, 2 unclassified, 1 compliant, 2 ignored. ' +
          'Alerting severities: 2 Critical, 4 High, 4 Medium. ' +
          '1 sample finding(s) judged but not counted in severities.',
      );
      expect(lines[1]).toBe('');
      expect(heading).toEqual([
        'Bucket',
        'Account',
        'Declared',
        'Verdict',
        'Severity',
        'Team',
        'Findings',
        'Violating types',
      ]);
      expect(separator).toEqual(['---', '---', '---', '---', '---', '---', '---:', '---']);
      expect(rows).toHaveLength(9);
      expect(rows[rows.length - 1]?.[0]).toBe('acme-analytics-reports');
      expect(rows.find(([bucket]) => bucket === 'acme-payments-exports')).toEqual([
        'acme-payments-exports',
        '111122223333',
        'Confidential',
        'violation',
        'Medium',
        'payments',
        '2',
        'CREDIT\\_CARD\\_NUMBER (Restricted)',
      ]);
    });

    it('escapes pipes, line breaks and what Markdown would link, load or run', async () => {
      const hostile =
        'a|b\n| forged | row |\r![x](https://example.invalid/t.png) <img src=x> [l](u) @team `c` *e* &amp;';
      const file = writeFindings(tagged('acme-payments-exports', hostile));

      const { stdout } = await run('check', file, '--format', 'markdown');

      const tableLines = stdout.split('\n').filter((line) => line.startsWith('|'));
      expect(tableLines).toHaveLength(3);
      const row = markdownRows(stdout)[2] ?? [];
      expect(row).toHaveLength(8);
      expect(row[5]).toBe(
        'a\\|b?\\| forged \\| row \\|?\\!\\[x\\](https://example.invalid/t.png) \\<img src=x\\> \\[l\\](u) \\@team \\`c\\` \\*e\\* \\&amp;',
      );
    });
  });

  describe('--format html', () => {
    it('is one page that loads nothing: a CSP of default-src none, no script, no link', async () => {
      const { stdout, code } = await checkExamples('--format', 'html');

      expect(code).toBe(0);
      expect(stdout.startsWith('<!DOCTYPE html>\n')).toBe(true);
      expect(stdout).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
      );
      expect(stdout).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import/i);
    });

    it('has the totals, a chart by team and severity, and a table per team', async () => {
      const { stdout } = await checkExamples('--format', 'html');

      expect(stdout).toContain(
        '<p>14 findings in 9 buckets: 9 violations, 2 unclassified, 1 compliant, 2 ignored.</p>',
      );
      expect(stdout).toContain('<h2>Violations by team and severity</h2>');
      expect(stdout).toContain(
        '<div class="chart-row"><div class="chart-team">data-platform</div><div class="bar">' +
          '<span class="high" style="width:33.33%" title="High: 1">1</span>' +
          '<span class="medium" style="width:66.67%" title="Medium: 2">2</span>' +
          '</div><div class="n">3</div></div>',
      );
      const teamHeadings = [...stdout.matchAll(/<h2>Team ([^<]*)<\/h2>/g)].map(([, t]) => t);
      expect(teamHeadings).toEqual(TEAM_SUMMARY.slice(1).map(([team]) => team));
      expect(stdout.match(/<table>/g)).toHaveLength(9);
    });

    it('escapes untrusted text so that it stays text', async () => {
      const hostile = '</td></tr></table><script>alert(1)</script><img src="x" onerror=\'y\'>&amp;';
      const file = writeFindings(tagged('acme-payments-exports', hostile));

      const { stdout } = await run('check', file, '--format', 'html');

      expect(stdout).toContain(
        '&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;amp;',
      );
      expect(stdout).not.toMatch(/<script|<img/i);
    });

    it('says so when there is nothing to show', async () => {
      const { stdout } = await checkExamples('--format', 'html', '--team', 'nobody');

      expect(stdout).toContain('<p class="muted">No findings to show.</p>');
      expect(stdout).toContain('<p>0 findings in 0 buckets:');
    });
  });
});
