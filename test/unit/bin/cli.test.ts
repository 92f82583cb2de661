import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CheckResult } from '../../../bin/check-result';
import type { Summary } from '../../../bin/report';
import { DEFAULT_POLICY_FILE } from '../../../policies/load-policy';
import { numberedByFile, parseCsv, runCli as run } from '../../support/cli';
import { useCliWorkspace } from '../../support/cli-workspace';
import {
  EXAMPLE_BUCKET_TAGS,
  exampleFindingsPath,
  loadMacieEvent,
  REPO_ROOT,
} from '../../support/fixtures';

interface JsonReport {
  readonly results: CheckResult[];
  readonly errors: { source: string; reason: string }[];
  readonly summary: Summary;
}

function jsonReportOf(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

const EXAMPLES = exampleFindingsPath();
interface ExpectedResult {
  readonly file: string;
  /** 1-based position of the finding within its file. */
  readonly n: number;
  readonly bucket: string;
  readonly declaredLevel: string | null;
  /** Detected type -> count. Ignored findings are not judged, so they report none. */
  readonly detected: Readonly<Record<string, number>>;
  readonly verdict: CheckResult['verdict'];
  readonly severity: CheckResult['severity'];
  readonly sample: boolean;
}

/** The table "Expected verdicts under the default policy" in examples/README.md. */
const EXPECTED_EXAMPLES: readonly ExpectedResult[] = [
  {
    file: 'compliant-analytics.json',
    n: 1,
    bucket: 'acme-analytics-reports',
    declaredLevel: 'Confidential',
    detected: { NAME: 12, ADDRESS: 4 },
    verdict: 'compliant',
    severity: null,
    sample: false,
  },
  {
    file: 'violation-public-site.json',
    n: 1,
    bucket: 'acme-marketing-site',
    declaredLevel: 'Public',
    detected: { PHONE_NUMBER: 3, EMAIL_ADDRESS: 5 },
    verdict: 'violation',
    severity: 'Critical',
    sample: false,
  },
  {
    file: 'violation-card-numbers.json',
    n: 1,
    bucket: 'acme-payments-exports',
    declaredLevel: 'Confidential',
    detected: { CREDIT_CARD_NUMBER: 30 },
    verdict: 'violation',
    severity: 'Medium',
    sample: false,
  },
  {
    file: 'violation-credentials.json',
    n: 1,
    bucket: 'acme-build-artifacts',
    declaredLevel: 'Restricted',
    detected: { AWS_CREDENTIALS: 1 },
    verdict: 'violation',
    severity: 'Critical',
    sample: false,
  },
  {
    file: 'violation-hr-export.json',
    n: 1,
    bucket: 'acme-hr-records',
    declaredLevel: 'Internal',
    detected: { USA_SOCIAL_SECURITY_NUMBER: 7, NAME: 7 },
    verdict: 'violation',
    severity: 'High',
    sample: false,
  },
  {
    file: 'violation-hr-export.json',
    n: 2,
    bucket: 'acme-hr-records',
    declaredLevel: 'Internal',
    detected: { 'employee-id': 40 },
    verdict: 'violation',
    severity: 'Medium',
    sample: false,
  },
  {
    file: 'unclassified-scratch.json',
    n: 1,
    bucket: 'acme-scratch-space',
    declaredLevel: null,
    detected: { EMAIL_ADDRESS: 2 },
    verdict: 'unclassified',
    severity: 'High',
    sample: false,
  },
  {
    file: 'unclassified-bad-value.json',
    n: 1,
    bucket: 'acme-legacy-share',
    declaredLevel: null,
    detected: { DATE_OF_BIRTH: 3 },
    verdict: 'unclassified',
    severity: 'High',
    sample: false,
  },
  {
    file: 'policy-finding.json',
    n: 1,
    bucket: 'acme-marketing-site',
    declaredLevel: 'Public',
    detected: {},
    verdict: 'ignored',
    severity: null,
    sample: false,
  },
  {
    file: 'sample-finding.json',
    n: 1,
    bucket: 'macie-sample-finding-bucket',
    declaredLevel: 'Internal',
    detected: { CREDIT_CARD_NUMBER: 5 },
    verdict: 'violation',
    severity: 'High',
    sample: true,
  },
  {
    file: 'archived-finding.json',
    n: 1,
    bucket: 'acme-payments-exports',
    declaredLevel: 'Confidential',
    detected: {},
    verdict: 'ignored',
    severity: null,
    sample: false,
  },
  {
    file: 'discovery-results.jsonl',
    n: 1,
    bucket: 'acme-data-lake-raw',
    declaredLevel: 'Internal',
    detected: { NAME: 9 },
    verdict: 'violation',
    severity: 'Medium',
    sample: false,
  },
  {
    file: 'discovery-results.jsonl',
    n: 2,
    bucket: 'acme-data-lake-raw',
    declaredLevel: 'Internal',
    detected: { BANK_ACCOUNT_NUMBER: 14 },
    verdict: 'violation',
    severity: 'High',
    sample: false,
  },
  {
    file: 'discovery-results.jsonl',
    n: 3,
    bucket: 'acme-data-lake-raw',
    declaredLevel: 'Internal',
    detected: { 'project-codename': 2 },
    verdict: 'violation',
    severity: 'Medium',
    sample: false,
  },
];

const EXAMPLE_BUCKETS = [...new Set(EXPECTED_EXAMPLES.map(({ bucket }) => bucket))];

/** A result in the shape of ExpectedResult, its file and position taken from its source. */
function asExpected(results: readonly CheckResult[]): ExpectedResult[] {
  return numberedByFile(results).map(({ file, n, result }) => ({
    file,
    n,
    bucket: result.bucket,
    declaredLevel: result.declaredLevel,
    detected: Object.fromEntries(result.detected.map(({ type, count }) => [type, count])),
    verdict: result.verdict,
    severity: result.severity,
    sample: result.sample,
  }));
}

describe('bucket-classification', () => {
  const workspace = useCliWorkspace();
  const { writeEvents } = workspace;

  describe('check on the examples', () => {
    describe('--format json', () => {
      let report: JsonReport;
      let code: number;

      beforeEach(async () => {
        const ran = await run('check', EXAMPLES, '--tags', EXAMPLE_BUCKET_TAGS, '--format', 'json');
        code = ran.code;
        report = jsonReportOf(ran.stdout);
      });

      it.each(EXPECTED_EXAMPLES)('judges $file #$n ($bucket) $verdict $severity', (expected) => {
        const actual = asExpected(report.results).find(
          ({ file, n }) => file === expected.file && n === expected.n,
        );

        expect(actual).toEqual(expected);
      });

      it('judges the fourteen example findings and nothing else, exiting 0', () => {
        const keys = asExpected(report.results).map(({ file, n }) => `${file}#${n}`);

        expect(keys.sort()).toEqual(EXPECTED_EXAMPLES.map(({ file, n }) => `${file}#${n}`).sort());
        expect(report.errors).toEqual([]);
        expect(code).toBe(0);
      });

      it('totals the verdicts as the examples README does', () => {
        expect(report.summary).toMatchObject({
          findings: 14,
          buckets: 9,
          unreadableRecords: 0,
          samples: 1,
          verdicts: { compliant: 1, violation: 9, unclassified: 2, ignored: 2 },
        });
      });
    });

    it('prints a table with one row per bucket, then the totals', async () => {
      const { stdout, code } = await run('check', EXAMPLES, '--tags', EXAMPLE_BUCKET_TAGS);

      const [heading, ...rest] = stdout.split('\n');
      const rows = rest.slice(0, rest.indexOf(''));
      const totals = rest.slice(rest.indexOf('') + 1);
      expect(code).toBe(0);
      expect(heading?.split(/ {2,}/)).toEqual([
        'BUCKET',
        'DECLARED',
        'VERDICT',
        'SEVERITY',
        'TEAM',
        'FINDINGS',
        'VIOLATING TYPES',
      ]);
      expect(rows.map((row) => row.split(/ {2,}/)[0]).sort()).toEqual([...EXAMPLE_BUCKETS].sort());
      expect(rows.find((row) => row.startsWith('acme-payments-exports '))?.split(/ {2,}/)).toEqual([
        'acme-payments-exports',
        'Confidential',
        'violation',
        'Medium',
        'payments',
        '2',
        'CREDIT_CARD_NUMBER (Restricted)',
      ]);
      expect(totals[0]).toBe(
        '14 findings in 9 buckets: 9 violations, 2 unclassified, 1 compliant, 2 ignored.',
      );
    });

    describe('an unclassified bucket', () => {
      it('lists in JSON the types it holds with the level each needs', async () => {
        const { stdout } = await run(
          'check',
          EXAMPLES,
          '--tags',
          EXAMPLE_BUCKET_TAGS,
          '--format',
          'json',
        );

        const scratch = jsonReportOf(stdout).results.find((r) => r.bucket === 'acme-scratch-space');
        expect(scratch?.verdict).toBe('unclassified');
        expect(scratch?.violations).toEqual([
          {
            type: 'EMAIL_ADDRESS',
            category: 'PERSONAL_INFORMATION',
            requiredLevel: 'Confidential',
            count: 2,
          },
        ]);
      });

      it('lists in the table the types it holds instead of -', async () => {
        const { stdout } = await run('check', EXAMPLES, '--tags', EXAMPLE_BUCKET_TAGS);

        const row = stdout.split('\n').find((line) => line.startsWith('acme-scratch-space '));
        expect(row?.split(/ {2,}/)).toEqual([
          'acme-scratch-space',
          '-',
          'unclassified',
          'High',
          expect.any(String),
          '1',
          'EMAIL_ADDRESS (Confidential)',
        ]);
      });

      it('lists in CSV the types it holds with the level each needs', async () => {
        const { stdout } = await run(
          'check',
          EXAMPLES,
          '--tags',
          EXAMPLE_BUCKET_TAGS,
          '--format',
          'csv',
        );

        const [header = [], ...rows] = parseCsv(stdout);
        const row = rows.find((cells) => cells[header.indexOf('bucket')] === 'acme-scratch-space');
        expect(row?.[header.indexOf('violations')]).toBe('EMAIL_ADDRESS:Confidential:2');
      });
    });

    it('prints CSV with a header and one row per finding', async () => {
      const { stdout, code } = await run(
        'check',
        EXAMPLES,
        '--tags',
        EXAMPLE_BUCKET_TAGS,
        '--format',
        'csv',
      );

      const [header, ...rows] = parseCsv(stdout);
      expect(code).toBe(0);
      expect(header).toEqual([
        'findingId',
        'bucket',
        'accountId',
        'region',
        'declaredLevel',
        'verdict',
        'severity',
        'team',
        'sample',
        'publiclyAccessible',
        'violations',
        'detected',
        'reason',
        'objectKey',
        'findingType',
        'source',
      ]);
      expect(rows).toHaveLength(EXPECTED_EXAMPLES.length);
      expect(rows.every((row) => row.length === header?.length)).toBe(true);
      expect(rows.map((row) => row[1]).sort()).toEqual(
        EXPECTED_EXAMPLES.map(({ bucket }) => bucket).sort(),
      );
    });
  });

  describe('check on other inputs', () => {
    it('defuses a tag value a spreadsheet would run as a formula', async () => {
      const formula = '=HYPERLINK("https://example.invalid/","open")';
      const file = writeEvents('findings.json', ['sensitive-financial.json'], (event) => {
        event.detail.resourcesAffected.s3Bucket.tags = [
          { key: 'DataClassification', value: 'Confidential' },
          { key: 'Team', value: formula },
        ];
      });

      const { stdout } = await run('check', file, '--format', 'csv');

      const [header, row] = parseCsv(stdout);
      const team = row?.[header?.indexOf('team') ?? -1];
      expect(team).toBe(`'${formula}`);
      expect(stdout).not.toContain(`,${formula}`);
      expect(stdout).not.toContain(`,"${formula.replaceAll('"', '""')}`);
    });

    it('exits 1 when a result reaches --fail-on', async () => {
      const { code } = await run(
        'check',
        EXAMPLES,
        '--tags',
        EXAMPLE_BUCKET_TAGS,
        '--fail-on',
        'High',
      );

      expect(code).toBe(1);
    });

    it('exits 0 when no result reaches --fail-on', async () => {
      const file = writeEvents('medium.json', ['sensitive-financial.json', 'cross-account.json']);

      const { code, stdout } = await run(
        'check',
        file,
        '--format',
        'json',
        '--fail-on',
        'Critical',
      );

      expect(jsonReportOf(stdout).results.map((r) => r.severity)).toEqual(['Medium', 'Medium']);
      expect(code).toBe(0);
    });

    it('exits 1 for the same Medium results with --fail-on Medium', async () => {
      const file = writeEvents('medium.json', ['sensitive-financial.json', 'cross-account.json']);

      const { code } = await run('check', file, '--fail-on', 'Medium');

      expect(code).toBe(1);
    });

    it('never lets a sample finding trigger --fail-on', async () => {
      const file = writeEvents('sample.json', ['sample-true.json']);

      const { code, stdout } = await run('check', file, '--format', 'json', '--fail-on', 'Low');

      const [result] = jsonReportOf(stdout).results;
      expect(result).toMatchObject({ verdict: 'violation', severity: 'High', sample: true });
      expect(code).toBe(0);
    });

    it('lets the same finding trigger --fail-on once it is not a sample', async () => {
      const file = writeEvents('not-sample.json', ['sample-true.json'], (event) => {
        event.detail.sample = false;
      });

      const { code } = await run('check', file, '--fail-on', 'Low');

      expect(code).toBe(1);
    });

    it('judges the good files, names file:line of a malformed one and exits 2', async () => {
      writeEvents('a-good.json', ['sensitive-financial.json']);
      const badText = JSON.stringify([loadMacieEvent('cross-account.json')], null, 2).replace(
        /\n\]$/,
        ',\n]',
      );
      const bad = workspace.dir.write('b-bad.json', badText);
      writeEvents('c-good.json', ['sensitive-multiple-categories.json']);
      const badLine = badText.split('\n').length;

      const ran = await run('check', workspace.dir.path, '--format', 'json');

      const report = jsonReportOf(ran.stdout);
      expect(report.results.map((r) => r.bucket)).toEqual(['team-a-ledger', 'team-b-crm']);
      expect(ran.stderr).toContain(`${bad}:${badLine}: invalid JSON`);
      expect(report.errors.map((e) => e.source)).toEqual([`${bad}:${badLine}`]);
      expect(ran.code).toBe(2);
    });

    it('judges the files after an empty one', async () => {
      writeEvents('a-good.json', ['sensitive-financial.json']);
      workspace.dir.write('b-empty.json', '');
      writeEvents('c-good.json', ['sensitive-multiple-categories.json']);

      const ran = await run('check', workspace.dir.path, '--format', 'json', '--fail-on', 'Medium');

      const report = jsonReportOf(ran.stdout);
      expect(report.results.map((r) => r.bucket)).toEqual(['team-a-ledger', 'team-b-crm']);
      expect(ran.code).toBe(1);
    });

    it('exits 2 for an unreadable record even when --fail-on is also reached', async () => {
      writeEvents('a-good.json', ['sensitive-financial.json']);
      workspace.dir.write('b-bad.jsonl', '{"cut": \n');

      const { code } = await run('check', workspace.dir.path, '--fail-on', 'Low');

      expect(code).toBe(2);
    });
  });

  describe('help and version', () => {
    it('prints the usage for --help and exits 0', async () => {
      const { code, stdout } = await run('--help');

      expect(stdout).toMatch(/^Usage:\n {2}bucket-classification check /);
      expect(code).toBe(0);
    });

    it("prints the package's version for --version", async () => {
      const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        version: string;
      };

      const { code, stdout } = await run('--version');

      expect(stdout).toBe(`${manifest.version}\n`);
      expect(code).toBe(0);
    });
  });

  describe('usage errors', () => {
    it.each([
      {
        given: '--format xml',
        argv: ['check', EXAMPLES, '--format', 'xml'],
        message: '--format must be one of table, json, csv, markdown, html; got "xml"',
      },
      {
        given: '--fail-on Severe',
        argv: ['check', EXAMPLES, '--fail-on', 'Severe'],
        message: '--fail-on must be one of Low, Medium, High, Critical; got "Severe"',
      },
      {
        given: 'an unknown option',
        argv: ['check', EXAMPLES, '--colour'],
        message: "Unknown option '--colour'",
      },
      { given: 'check without inputs', argv: ['check'], message: 'check needs at least one input' },
      {
        given: 'an unknown command',
        argv: ['frobnicate'],
        message: 'unknown command "frobnicate"',
      },
      { given: 'no command', argv: [], message: 'a command is required' },
      {
        given: 'an unknown policy subcommand',
        argv: ['policy', 'lint'],
        message: 'unknown policy subcommand "lint"',
      },
    ])('exits 2 for $given, saying what is wrong', async ({ argv, message }) => {
      const { code, stdout, stderr } = await run(...argv);

      expect(stderr).toContain(`bucket-classification: ${message}`);
      expect(stdout).toBe('');
      expect(code).toBe(2);
    });

    it('names the bucket and tag of a --tags file whose value is not a string', async () => {
      const tags = workspace.dir.write(
        'tags.json',
        JSON.stringify({ 'acme-x': { DataClassification: 3 } }),
      );

      const { code, stderr } = await run('check', EXAMPLES, '--tags', tags);

      expect(stderr).toContain(`--tags ${tags}: acme-x.DataClassification: `);
      expect(code).toBe(2);
    });

    it('names a --tags file that is not JSON', async () => {
      const tags = workspace.dir.write('tags.json', '{"acme-x": ');

      const { code, stderr } = await run('check', EXAMPLES, '--tags', tags);

      expect(stderr).toContain(`--tags ${tags}: invalid JSON`);
      expect(code).toBe(2);
    });
  });

  describe('policy', () => {
    it('validates the default policy', async () => {
      const { code, stdout } = await run('policy', 'validate');

      expect(stdout).toContain(`${DEFAULT_POLICY_FILE}: valid policy`);
      expect(stdout).toContain('Public < Internal < Confidential < Restricted');
      expect(code).toBe(0);
    });

    it('rejects a bad policy file, naming file:line and the path in it', async () => {
      const text = readFileSync(DEFAULT_POLICY_FILE, 'utf8').replace(
        'publicExposureRaise: 1',
        'publicExposureRaise: lots',
      );
      const file = workspace.dir.write('policy.yaml', text);
      const line = text.split('\n').findIndex((l) => l.includes('publicExposureRaise: lots')) + 1;

      const { code, stderr } = await run('policy', 'validate', file);

      expect(line).toBeGreaterThan(1);
      expect(stderr).toContain(`${file}:${line}: severity.publicExposureRaise`);
      expect(code).toBe(2);
    });

    it('explains that a passport number needs Restricted, by the *_PASSPORT_NUMBER pattern', async () => {
      const { code, stdout } = await run('policy', 'explain', 'USA_PASSPORT_NUMBER');

      expect(stdout).toContain('USA_PASSPORT_NUMBER needs a bucket declared Restricted or higher.');
      expect(stdout).toContain('*_PASSPORT_NUMBER');
      expect(code).toBe(0);
    });

    it('explains that AWS credentials are forbidden', async () => {
      const { code, stdout } = await run('policy', 'explain', 'AWS_CREDENTIALS');

      expect(stdout).toContain('AWS_CREDENTIALS is forbidden at every level.');
      expect(code).toBe(0);
    });

    it('prints the JSON Schema of policy files', async () => {
      const { code, stdout } = await run('policy', 'schema');

      const schema = JSON.parse(stdout) as { $schema?: unknown; type?: unknown };
      expect(schema.$schema).toMatch(/^https:\/\/json-schema\.org\//);
      expect(schema.type).toBe('object');
      expect(code).toBe(0);
    });
  });
});
