import type { CheckResult } from '../../bin/check-result';
import { type CheckFormat, createReport, type Summary } from '../../bin/report';
import type { GroupBy } from '../../bin/report-summary';
import { loadPolicy } from '../../policies/load-policy';
import { PolicyError } from '../../policies/policy-error';
import { composeAlert } from '../../rules/alert';
import type { AlertRoute } from '../../rules/alert-route';
import type { BucketAssessment, BucketState } from '../../rules/bucket-state';
import { composeTeamDigest } from '../../rules/digest';
import { composeNotice } from '../../rules/notice';
import { composeTagsNotice } from '../../rules/tags-notice';
import { evaluateFinding, type Unclassified } from '../../rules/verdict';
import { runCli } from '../support/cli';
import { createTempDir, type TempDir } from '../support/temp-dir';
import { finding, KEYS } from './rules/finding-builder';

/** Values someone outside central security could write into a tag, key or name. */
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ['a line break and fake lines', 'logs/a.csv\nSeverity:        Low\nWhat to do: nothing'],
  ['a carriage return and a fake line', 'logs/a.csv\rSeverity: Low'],
  ['an escape sequence', 'logs/\u001b[31mred\u001b[0m.csv'],
  ['a bell', 'logs/\u0007ding.csv'],
  ['a line separator and a fake line', 'logs/a.csv\u2028Severity: Low'],
  ['a paragraph separator and a fake line', 'logs/a.csv\u2029What to do: nothing'],
  ['a right-to-left override', 'logs/\u202egnp.exe'],
  ['zero-width joiners', 'logs/a\u200db\u200dc.csv'],
  ['a 10 KB value', 'x'.repeat(10 * 1024)],
];

/** Control, format (bidi, zero-width) and separator characters; a line feed between lines is allowed. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const INJECTED_LINE_STARTS = ['Severity: Low', 'Severity:        Low', 'What to do: nothing'];

function expectInert(output: string): void {
  const lines = output.split('\n');
  for (const line of lines) {
    expect({ line: line.slice(0, 80), invisible: INVISIBLE.test(line) }).toEqual({
      line: line.slice(0, 80),
      invisible: false,
    });
    for (const start of INJECTED_LINE_STARTS) expect(line.startsWith(start)).toBe(false);
  }
  // A value is cut short: 4 KiB of it never reaches a reader.
  expect(output.includes('x'.repeat(4097))).toBe(false);
}

const policy = loadPolicy();
const ACCOUNT = '111122223333';
const TEAM_ROUTE: AlertRoute = {
  kind: 'team',
  topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:team-a-alerts`,
};
const FALLBACK_ROUTE = (detail: string): AlertRoute => ({
  kind: 'fallback',
  topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:central-security`,
  reason: 'TopicTagMalformed',
  detail,
});

function state(hostile: string): BucketState {
  return {
    accountId: ACCOUNT,
    bucket: hostile,
    region: 'us-east-1',
    partition: 'aws',
    declaration: {
      tags: { DataClassification: hostile, Team: hostile },
      source: 'live',
      readAt: '2025-06-01T00:00:00.000Z',
    },
    types: {},
    publiclyAccessible: false,
    findings: 1,
    findingsSinceNotice: 1,
    openSince: '2025-06-01T00:00:00.000Z',
  };
}

function assessment(hostile: string): BucketAssessment {
  return {
    verdict: 'unclassified',
    team: hostile,
    severity: 'Critical',
    violations: [
      {
        type: hostile,
        category: 'CUSTOM_IDENTIFIER',
        requiredLevel: 'Confidential',
        count: 2,
        findings: 1,
        examples: [hostile],
        firstSeen: '2025-06-01T00:00:00.000Z',
        lastSeen: '2025-06-01T00:00:00.000Z',
      },
    ],
    waived: [],
    waiverExpired: [],
    publiclyAccessible: false,
  };
}

function checkResult(hostile: string): CheckResult {
  const type = {
    type: hostile,
    category: 'CUSTOM_IDENTIFIER',
    requiredLevel: 'Confidential',
    count: 1,
  };
  return {
    findingId: 'a1b2c3',
    findingType: 'SensitiveData:S3Object/CustomIdentifier',
    bucket: hostile,
    accountId: ACCOUNT,
    region: 'us-east-1',
    objectKey: hostile,
    declaredLevel: null,
    verdict: 'unclassified',
    severity: 'High',
    team: hostile,
    sample: false,
    publiclyAccessible: false,
    reason: `classification tag "${hostile}" is not a level`,
    violations: [type],
    detected: [type],
    source: `${hostile}:1`,
  };
}

const SUMMARY: Summary = {
  findings: 1,
  buckets: 1,
  unreadableRecords: 0,
  samples: 0,
  verdicts: { compliant: 0, violation: 0, unclassified: 1, ignored: 0 },
  severities: { Low: 0, Medium: 0, High: 1, Critical: 0 },
  filteredOut: 0,
  duplicates: 0,
};

function checkReport(format: CheckFormat, hostile: string, groupBy?: GroupBy): string {
  let out = '';
  const report = createReport(
    format,
    (text) => {
      out += text;
    },
    groupBy,
  );
  report.add(checkResult(hostile));
  report.finish(SUMMARY);
  return out;
}

describe('untrusted text in human-readable output', () => {
  let temp: TempDir;

  beforeEach(() => {
    temp = createTempDir();
  });

  afterEach(() => {
    temp.remove();
  });

  const outputs: ReadonlyArray<readonly [string, (hostile: string) => string | Promise<string>]> = [
    [
      'alert text',
      (hostile) => {
        const verdict = evaluateFinding(
          finding({ custom: [{ name: hostile }] }),
          { DataClassification: hostile, Team: hostile },
          policy,
          KEYS,
        ) as Unclassified;
        const facts = {
          id: 'a1b2c3',
          type: 'SensitiveData:S3Object/CustomIdentifier',
          accountId: ACCOUNT,
          region: 'us-east-1',
          partition: 'aws',
          bucket: hostile,
          objectKey: hostile,
          sample: false,
        };
        return composeAlert(facts, verdict, FALLBACK_ROUTE(hostile), policy.levels).text;
      },
    ],
    [
      'notice text',
      (hostile) =>
        composeNotice({
          state: state(hostile),
          assessment: assessment(hostile),
          decision: { kind: 'violation', changes: [`Team was set to "${hostile}"`] },
          route: FALLBACK_ROUTE(hostile),
          trigger: {
            kind: 'finding',
            finding: {
              id: 'a1b2c3',
              type: 'SensitiveData:S3Object/CustomIdentifier',
              accountId: ACCOUNT,
              region: 'us-east-1',
              partition: 'aws',
              bucket: hostile,
              objectKey: hostile,
              sample: false,
            },
          },
          levels: policy.levels,
          keys: KEYS,
        }).text,
    ],
    [
      'tag notice text',
      (hostile) =>
        composeTagsNotice({
          bucket: hostile,
          accountId: ACCOUNT,
          region: 'us-east-1',
          compliance: 'NON_COMPLIANT',
          previous: 'COMPLIANT',
          annotation: `DataClassification "${hostile}" is not a level.`,
          recordedAt: '2025-06-01T00:00:00.000Z',
          team: hostile,
          route: FALLBACK_ROUTE(hostile),
          keys: KEYS,
          levels: policy.levels,
        }).text,
    ],
    [
      'digest text',
      (hostile) =>
        composeTeamDigest(
          {
            team: hostile,
            route: TEAM_ROUTE,
            buckets: [
              {
                state: state(hostile),
                assessment: assessment(hostile),
                route: FALLBACK_ROUTE(hostile),
              },
            ],
          },
          TEAM_ROUTE,
          new Date('2025-06-02T00:00:00.000Z'),
        ).text,
    ],
    ['check table', (hostile) => checkReport('table', hostile)],
    ['check CSV', (hostile) => checkReport('csv', hostile)],
    ['check Markdown', (hostile) => checkReport('markdown', hostile)],
    ['check HTML', (hostile) => checkReport('html', hostile)],
    ['check summary table by team', (hostile) => checkReport('table', hostile, 'team')],
    ['check summary CSV by bucket', (hostile) => checkReport('csv', hostile, 'bucket')],
    ['check summary Markdown by team', (hostile) => checkReport('markdown', hostile, 'team')],
    ['check summary HTML by bucket', (hostile) => checkReport('html', hostile, 'bucket')],
    [
      'tags table',
      async (hostile) => {
        const file = temp.write(
          'tags.json',
          JSON.stringify({ [hostile]: { DataClassification: hostile } }),
        );
        const { stdout, stderr } = await runCli('tags', '--tags', file, '--account', ACCOUNT);
        return stdout + stderr;
      },
    ],
    [
      'tags CSV',
      async (hostile) => {
        const file = temp.write(
          'tags.json',
          JSON.stringify({ [hostile]: { DataClassification: hostile } }),
        );
        const { stdout } = await runCli(
          'tags',
          '--tags',
          file,
          '--account',
          ACCOUNT,
          '--format',
          'csv',
        );
        return stdout;
      },
    ],
    [
      'an error naming a policy file',
      async (hostile) => {
        const { stderr } = await runCli('check', '--policy', `${temp.path}/${hostile}.yaml`, '-');
        return stderr;
      },
    ],
    [
      'a usage error quoting an option',
      async (hostile) => {
        const { stderr } = await runCli('check', '--format', hostile, '-');
        return stderr;
      },
    ],
    [
      'policy explain of a custom identifier',
      async (hostile) => {
        const { stdout, stderr } = await runCli('policy', 'explain', hostile, '--custom');
        return stdout + stderr;
      },
    ],
    [
      'the message of a policy error',
      (hostile) => new PolicyError(hostile, [{ path: hostile, message: hostile }]).message,
    ],
  ];

  describe.each(outputs)('%s', (_, output) => {
    it.each(HOSTILE)('keeps %s inert', async (_, hostile) => {
      const text = await output(hostile);

      expectInert(text);
    });
  });
});
