/**
 * The per-finding and per-group reports of `check` as whole texts, written
 * straight from results: every column, heading and separator in its place.
 */
import type { CheckResult } from '../../../bin/check-result';
import {
  createReport,
  formatTable,
  MAX_JSON_ERRORS,
  type Summary,
  truncate,
} from '../../../bin/report';

const CARD = {
  type: 'CREDIT_CARD_NUMBER',
  category: 'FINANCIAL_INFORMATION',
  requiredLevel: 'Restricted',
  count: 3,
};
const NAME = {
  type: 'NAME',
  category: 'PERSONAL_INFORMATION',
  requiredLevel: 'Internal',
  count: 1,
};

const VIOLATION: CheckResult = {
  findingId: 'f-1',
  findingType: 'SensitiveData:S3Object/Financial',
  bucket: 'acme-payments',
  accountId: '111122223333',
  region: 'eu-west-1',
  objectKey: 'exports/cards.csv',
  declaredLevel: 'Internal',
  verdict: 'violation',
  severity: 'High',
  team: 'payments',
  sample: false,
  publiclyAccessible: false,
  reason: null,
  violations: [CARD],
  detected: [CARD, NAME],
  source: 'findings.jsonl:1',
};
const UNCLASSIFIED: CheckResult = {
  ...VIOLATION,
  findingId: 'f-2',
  findingType: 'SensitiveData:S3Object/Personal',
  bucket: 'acme-logs',
  objectKey: '=HYPERLINK("x")',
  declaredLevel: null,
  verdict: 'unclassified',
  severity: 'Medium',
  team: null,
  publiclyAccessible: true,
  reason: 'no DataClassification tag',
  violations: [NAME],
  detected: [NAME],
  source: 'findings.jsonl:2',
};
const IGNORED: CheckResult = {
  ...UNCLASSIFIED,
  findingId: 'f-3',
  objectKey: null,
  verdict: 'ignored',
  severity: null,
  reason: 'archived',
  violations: [],
  detected: [],
  source: 'findings.jsonl:3',
};
const SUMMARY: Summary = {
  findings: 3,
  buckets: 2,
  unreadableRecords: 1,
  samples: 0,
  verdicts: { violation: 1, unclassified: 1, compliant: 0, ignored: 1 },
  severities: { Low: 0, Medium: 1, High: 1, Critical: 0 },
  filteredOut: 0,
  duplicates: 0,
};

function written(
  format: Parameters<typeof createReport>[0],
  groupBy?: Parameters<typeof createReport>[2],
) {
  let text = '';
  const report = createReport(
    format,
    (chunk) => {
      text += chunk;
    },
    groupBy,
  );
  for (const result of [VIOLATION, UNCLASSIFIED, IGNORED]) report.add(result);
  report.unreadable('findings.jsonl:4', 'not JSON');
  report.finish(SUMMARY);
  return text;
}

const TOTALS = [
  '',
  '3 findings in 2 buckets: 1 violation, 1 unclassified, 0 compliant, 1 ignored.',
  'Alerting severities: 1 High, 1 Medium.',
  '1 record(s) could not be read (listed on stderr).',
  '',
];
const SUMMARY_JSON =
  '"summary":{"findings":3,"buckets":2,"unreadableRecords":1,"samples":0,"verdicts":{"violation":1,"unclassified":1,"compliant":0,"ignored":1},"severities":{"Low":0,"Medium":1,"High":1,"Critical":0},"filteredOut":0,"duplicates":0}}';
const ERRORS_JSON = '"errors":[{"source":"findings.jsonl:4","reason":"not JSON"}],';

describe('check reports, whole', () => {
  it('JSON: the results one a line, the errors, the summary', () => {
    expect(written('json').split('\n')).toEqual(
      [
        '{"results":[',
        JSON.stringify(VIOLATION),
        ',',
        JSON.stringify(UNCLASSIFIED),
        ',',
        JSON.stringify(IGNORED),
        '],',
        ERRORS_JSON,
        SUMMARY_JSON,
        '',
      ]
        .join('\n')
        .replaceAll('\n,\n', ',\n')
        .split('\n'),
    );
  });

  it('JSON by team: the groups keyed by team, the errors, the summary', () => {
    expect(written('json', 'team').split('\n')).toEqual([
      '{"groupBy":"team",',
      '"groups":[',
      '{"team":"payments","buckets":1,"violations":{"Low":0,"Medium":0,"High":1,"Critical":0},"unclassifiedBuckets":0},',
      '{"team":null,"buckets":1,"violations":{"Low":0,"Medium":0,"High":0,"Critical":0},"unclassifiedBuckets":1}',
      '],',
      ERRORS_JSON,
      SUMMARY_JSON,
      '',
    ]);
  });

  it('CSV: a heading and one defused row per finding; nothing for unreadable records', () => {
    expect(written('csv').split('\n')).toEqual([
      'findingId,bucket,accountId,region,declaredLevel,verdict,severity,team,sample,publiclyAccessible,violations,detected,reason,objectKey,findingType,source',
      'f-1,acme-payments,111122223333,eu-west-1,Internal,violation,High,payments,false,false,CREDIT_CARD_NUMBER:Restricted:3,CREDIT_CARD_NUMBER:Restricted:3|NAME:Internal:1,,exports/cards.csv,SensitiveData:S3Object/Financial,findings.jsonl:1',
      `f-2,acme-logs,111122223333,eu-west-1,,unclassified,Medium,,false,true,NAME:Internal:1,NAME:Internal:1,no DataClassification tag,"'=HYPERLINK(""x"")",SensitiveData:S3Object/Personal,findings.jsonl:2`,
      'f-3,acme-logs,111122223333,eu-west-1,,ignored,,,false,true,,,archived,,SensitiveData:S3Object/Personal,findings.jsonl:3',
      '',
    ]);
  });

  it.each([
    ['team', 'team', ['payments,1,0,1,0,0,0', ',1,0,0,0,0,1']],
    ['account', 'accountId', ['111122223333,2,0,1,0,0,1']],
    ['bucket', 'bucket', ['acme-payments,1,0,1,0,0,0', 'acme-logs,1,0,0,0,0,1']],
  ] as const)('CSV by %s: a heading keyed %s and one row per group', (groupBy, key, rows) => {
    expect(written('csv', groupBy).split('\n')).toEqual([
      `${key},buckets,Critical,High,Medium,Low,unclassifiedBuckets`,
      ...rows,
      '',
    ]);
  });

  it('table: one row per bucket, worst first, in aligned columns, then the totals', () => {
    expect(written('table').split('\n')).toEqual([
      'BUCKET         DECLARED  VERDICT       SEVERITY  TEAM      FINDINGS  VIOLATING TYPES',
      'acme-payments  Internal  violation     High      payments  1         CREDIT_CARD_NUMBER (Restricted)',
      'acme-logs      -         unclassified  Medium    -         2         NAME (Internal)',
      ...TOTALS,
    ]);
  });

  it.each([
    [
      'team',
      'TEAM      BUCKETS  CRITICAL  HIGH  MEDIUM  LOW  UNCLASSIFIED',
      [
        'payments  1        0         1     0       0    0',
        '-         1        0         0     0       0    1',
      ],
    ],
    [
      'account',
      'ACCOUNT       BUCKETS  CRITICAL  HIGH  MEDIUM  LOW  UNCLASSIFIED',
      ['111122223333  2        0         1     0       0    1'],
    ],
  ] as const)('table by %s: one row per group, then the totals', (groupBy, heading, rows) => {
    expect(written('table', groupBy).split('\n')).toEqual([heading, ...rows, ...TOTALS]);
  });

  it('shows - for the severity of a bucket whose findings are all compliant', () => {
    let text = '';
    const report = createReport('table', (chunk) => {
      text += chunk;
    });
    report.add({ ...VIOLATION, verdict: 'compliant', severity: null, violations: [] });
    report.finish(SUMMARY);

    expect(text.split('\n')[1]).toBe(
      'acme-payments  Internal  compliant  -         payments  1         -',
    );
  });

  it('writes Markdown and HTML as such', () => {
    expect(written('markdown')).toMatch(/^3 findings in 2 buckets: .*\n\n\| Bucket \|/);
    expect(written('html')).toMatch(/^<!DOCTYPE html>/i);
  });

  it('lists at most 1,000 unreadable records in JSON, with or without groups', () => {
    for (const groupBy of [undefined, 'team'] as const) {
      let text = '';
      const report = createReport(
        'json',
        (chunk) => {
          text += chunk;
        },
        groupBy,
      );
      for (let i = 1; i <= 1001; i++) report.unreadable(`f.jsonl:${i}`, 'not JSON');
      report.finish(SUMMARY);

      const { errors } = JSON.parse(text) as { errors: Array<{ source: string }> };
      expect(MAX_JSON_ERRORS).toBe(1000);
      expect(errors).toHaveLength(1000);
      expect(errors.at(-1)?.source).toBe('f.jsonl:1000');
    }
  });

  it.each(['json', 'csv'] as const)(
    'writes %s in batches of at least 64 KiB, never one per row',
    (format) => {
      const writes: string[] = [];
      const report = createReport(format, (chunk) => writes.push(chunk));
      for (let i = 0; i < 1000; i++) report.add({ ...VIOLATION, findingId: `f-${i}` });
      const beforeFinish = writes.length;
      report.finish(SUMMARY);

      const total = writes.join('').length;
      expect(beforeFinish).toBe(Math.floor(total / (64 * 1024)));
      for (const chunk of writes.slice(0, -1))
        expect(chunk.length).toBeGreaterThanOrEqual(64 * 1024);
      expect(writes.at(-1)?.length).toBeGreaterThan(0);
      expect(writes.at(-1)?.length).toBeLessThan(64 * 1024 + 1024);
    },
  );

  it('writes a batch as soon as it holds 64 KiB', () => {
    const writes: string[] = [];
    const report = createReport('json', (chunk) => writes.push(chunk));
    // '{"results":[' and a line break before the result: 13 characters.
    report.add(VIOLATION, 'x'.repeat(64 * 1024 - 13));

    expect(writes.map((chunk) => chunk.length)).toEqual([64 * 1024]);
  });

  it('writes nothing more at the end when the last batch was just written', () => {
    const writes: string[] = [];
    const report = createReport('csv', (chunk) => writes.push(chunk));
    for (let i = 0; writes.length === 0; i++) report.add({ ...VIOLATION, findingId: `f-${i}` });
    report.finish(SUMMARY);

    expect(writes).toHaveLength(1);
  });
});

describe('formatTable and truncate', () => {
  it('aligns columns two spaces apart, trims the end of each line and makes each cell inert', () => {
    expect(
      formatTable([
        ['A', 'LONG HEADING', 'C'],
        ['value\u001b[31m', 'x', ''],
        ['b', 'yy', 'z'],
      ]),
    ).toBe(
      ['A           LONG HEADING  C', 'value?[31m  x', 'b           yy            z', ''].join(
        '\n',
      ),
    );
    expect(formatTable([])).toBe('');
  });

  it('cuts a text longer than the width, marking the cut', () => {
    expect(truncate('abcd', 4)).toBe('abcd');
    expect(truncate('abcde', 4)).toBe('abc…');
  });
});
