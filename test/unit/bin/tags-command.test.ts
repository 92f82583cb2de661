import { readFileSync } from 'node:fs';
import {
  type AccountAws,
  type AccountScope,
  type BucketTagsResult,
  type LiveAws,
  runTagsCheck,
  type TagsCheckOptions,
  type TagsSummary,
  tagsCheckOptions,
} from '../../../bin/tags-command';
import { MemberRoleError } from '../../../lib/member-credentials';
import type { TopicStatus, TopicTags } from '../../../lib/sns-topic-directory';
import { DEFAULT_TAG_KEYS } from '../../../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../../policies/load-policy';
import { awsError } from '../../support/aws-errors';
import { type CliRun, parseCsv, runCli as run } from '../../support/cli';
import { type ClearedEnv, clearEnv } from '../../support/env';
import { FakeTopicTags } from '../../support/fakes';
import { createTempDir, type TempDir } from '../../support/temp-dir';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:analytics-alerts`;
const OTHER_TOPIC = `arn:aws:sns:eu-west-1:${OTHER_ACCOUNT}:vendor-alerts`;
const LEVELS = 'Public, Internal, Confidential, Restricted';

/** Settings the command reads from the environment; cleared around every test. */
const ENV_VARIABLES = [
  'ALLOWED_TOPIC_ACCOUNTS',
  'AWS_REGION',
  'CLASSIFICATION_TAG_KEY',
  'TOPIC_TAG_KEY',
  'TEAM_TAG_KEY',
  'TOPIC_OPT_IN_TAG_KEY',
  'TOPIC_OPT_IN_TAG_VALUE',
  'MEMBER_ROLE_NAME',
] as const;

interface JsonReport {
  readonly results: BucketTagsResult[];
  readonly summary: TagsSummary;
}

function jsonOf(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

type TagsFile = Record<string, Record<string, string>>;

const compliantTags = { DataClassification: 'Confidential', SupportSNSTopic: TOPIC, Team: 'a' };

let temp: TempDir;
let env: ClearedEnv;

beforeEach(() => {
  temp = createTempDir();
  env = clearEnv(ENV_VARIABLES);
});

afterEach(() => {
  temp.remove();
  env.restore();
});

function tagsFile(tags: TagsFile): string {
  return temp.write('tags.json', JSON.stringify(tags));
}

/** Runs `tags --tags <file> --account ACCOUNT --format json` plus `extra`; returns the one result. */
async function judgeOne(tags: Record<string, string>, ...extra: string[]) {
  const file = tagsFile({ 'acme-bucket': tags });
  const { code, stdout, stderr } = await run(
    'tags',
    '--tags',
    file,
    '--account',
    ACCOUNT,
    '--format',
    'json',
    ...extra,
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const [result, ...others] = jsonOf(stdout).results;
  expect(others).toEqual([]);
  return result;
}

describe('bucket-classification tags --tags FILE', () => {
  describe('judging each bucket as checkBucketTags does', () => {
    it('finds a bucket with a level and a topic in its own account compliant', async () => {
      // Prepare, Act
      const result = await judgeOne(compliantTags);

      // Assess
      expect(result).toEqual({
        bucket: 'acme-bucket',
        compliance: 'COMPLIANT',
        annotation: `Declares Confidential; alerts go to ${TOPIC}.`,
        problems: [],
      });
    });

    it('reports a missing classification tag with the levels to choose from', async () => {
      const result = await judgeOne({ SupportSNSTopic: TOPIC });

      expect(result).toMatchObject({
        compliance: 'NON_COMPLIANT',
        annotation: `DataClassification is missing: tag it with one of ${LEVELS}.`,
      });
    });

    it('reports a classification that is not a level of the policy', async () => {
      const result = await judgeOne({ ...compliantTags, DataClassification: 'Top Secret' });

      expect(result).toMatchObject({
        compliance: 'NON_COMPLIANT',
        annotation: `DataClassification "Top Secret" is not a level (${LEVELS}).`,
      });
    });

    it('reports a missing topic tag', async () => {
      const result = await judgeOne({ DataClassification: 'Internal' });

      expect(result).toMatchObject({
        compliance: 'NON_COMPLIANT',
        annotation: "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
      });
    });

    it('reports a topic tag that is not an SNS topic ARN', async () => {
      const result = await judgeOne({ ...compliantTags, SupportSNSTopic: 'team-alerts' });

      expect(result).toMatchObject({
        compliance: 'NON_COMPLIANT',
        annotation: expect.stringMatching(/^SupportSNSTopic "team-alerts" is not an SNS topic ARN/),
      });
    });

    it('reports a topic in an account other than the bucket account given with --account', async () => {
      const result = await judgeOne({ ...compliantTags, SupportSNSTopic: OTHER_TOPIC });

      expect(result).toMatchObject({
        compliance: 'NON_COMPLIANT',
        annotation: `SupportSNSTopic is in account ${OTHER_ACCOUNT}; allowed: ${ACCOUNT}.`,
      });
    });

    it('lists every problem of a bucket, each on its own and together in the annotation', async () => {
      const result = await judgeOne({}, '--require-team');

      expect(result?.problems).toEqual([
        `DataClassification is missing: tag it with one of ${LEVELS}.`,
        "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
        "Team is missing: tag it with your team's name.",
      ]);
      expect(result?.annotation).toBe(result?.problems.join(' '));
    });

    it('requires the team tag only with --require-team', async () => {
      const tags = { DataClassification: 'Internal', SupportSNSTopic: TOPIC };

      const without = await judgeOne(tags);
      const withFlag = await judgeOne(tags, '--require-team');

      expect(without?.compliance).toBe('COMPLIANT');
      expect(withFlag).toMatchObject({
        compliance: 'NON_COMPLIANT',
        annotation: "Team is missing: tag it with your team's name.",
      });
    });

    it('allows the topic accounts of ALLOWED_TOPIC_ACCOUNTS, as the Lambda does', async () => {
      process.env.ALLOWED_TOPIC_ACCOUNTS = ` ${ACCOUNT} , ${OTHER_ACCOUNT} `;

      const result = await judgeOne({ ...compliantTags, SupportSNSTopic: OTHER_TOPIC });

      expect(result?.compliance).toBe('COMPLIANT');
    });

    it('takes --allowed-topic-accounts over ALLOWED_TOPIC_ACCOUNTS', async () => {
      process.env.ALLOWED_TOPIC_ACCOUNTS = OTHER_ACCOUNT;

      const result = await judgeOne(
        { ...compliantTags, SupportSNSTopic: OTHER_TOPIC },
        '--allowed-topic-accounts',
        ACCOUNT,
      );

      expect(result?.annotation).toBe(
        `SupportSNSTopic is in account ${OTHER_ACCOUNT}; allowed: ${ACCOUNT}.`,
      );
    });

    it('needs no --account when the allowed topic accounts are given', async () => {
      const file = tagsFile({ 'acme-bucket': { ...compliantTags, SupportSNSTopic: OTHER_TOPIC } });

      const { code, stdout } = await run(
        'tags',
        '--tags',
        file,
        '--allowed-topic-accounts',
        `${ACCOUNT},${OTHER_ACCOUNT}`,
        '--format',
        'json',
      );

      expect(code).toBe(0);
      expect(jsonOf(stdout).results.map((r) => r.compliance)).toEqual(['COMPLIANT']);
      expect(jsonOf(stdout).summary.accountId).toBeNull();
    });

    it('reads the tag keys from CLASSIFICATION_TAG_KEY, TOPIC_TAG_KEY and TEAM_TAG_KEY', async () => {
      process.env.CLASSIFICATION_TAG_KEY = 'classification';
      process.env.TOPIC_TAG_KEY = 'alerts-topic';
      process.env.TEAM_TAG_KEY = 'owner';

      const renamed = await judgeOne(
        { classification: 'Restricted', 'alerts-topic': TOPIC, owner: 'a' },
        '--require-team',
      );
      const defaults = await judgeOne(compliantTags);

      expect(renamed?.compliance).toBe('COMPLIANT');
      expect(defaults?.problems).toEqual([
        `classification is missing: tag it with one of ${LEVELS}.`,
        "alerts-topic is missing: tag it with your team's SNS topic ARN.",
      ]);
    });

    it('judges the levels of the policy given with --policy', async () => {
      const renamed = readFileSync(DEFAULT_POLICY_FILE, 'utf8').replaceAll('Restricted', 'Secret');
      const policy = temp.write('policy.yaml', renamed);
      const tags = { ...compliantTags, DataClassification: 'Secret' };

      const withDefault = await judgeOne(tags);
      const withPolicy = await judgeOne(tags, '--policy', policy);

      expect(withDefault?.compliance).toBe('NON_COMPLIANT');
      expect(withPolicy).toMatchObject({
        compliance: 'COMPLIANT',
        annotation: `Declares Secret; alerts go to ${TOPIC}.`,
      });
    });
  });

  describe('output', () => {
    const mixed: TagsFile = {
      'b-compliant': compliantTags,
      'a-compliant': { ...compliantTags, DataClassification: 'Public' },
      'd-no-topic': { DataClassification: 'Internal' },
      'c-bad-level': { ...compliantTags, DataClassification: 'TopSecret' },
    };

    it('prints a table with non-compliant buckets first, each group by name, then totals', async () => {
      const file = tagsFile(mixed);

      const { code, stdout } = await run('tags', '--tags', file, '--account', ACCOUNT);

      expect(code).toBe(0);
      const lines = stdout.split('\n');
      expect(lines[0]).toMatch(/^BUCKET {7}COMPLIANCE {5}ANNOTATION$/);
      expect(lines.slice(1, 5).map((line) => line.split(/ {2,}/).slice(0, 2))).toEqual([
        ['c-bad-level', 'NON_COMPLIANT'],
        ['d-no-topic', 'NON_COMPLIANT'],
        ['a-compliant', 'COMPLIANT'],
        ['b-compliant', 'COMPLIANT'],
      ]);
      expect(lines[1]).toContain(`DataClassification "TopSecret" is not a level (${LEVELS}).`);
      expect(lines.slice(5)).toEqual(['', '4 buckets: 2 compliant, 2 non-compliant.', '']);
    });

    it('says "1 bucket" and "0 buckets" in the totals', async () => {
      const one = await run('tags', '--tags', tagsFile({ a: compliantTags }), '--account', ACCOUNT);
      const none = await run('tags', '--tags', tagsFile({}), '--account', ACCOUNT);

      expect(one.stdout).toMatch(/\n1 bucket: 1 compliant, 0 non-compliant\.\n$/);
      expect(none.stdout).toBe(
        'BUCKET  COMPLIANCE  ANNOTATION\n\n0 buckets: 0 compliant, 0 non-compliant.\n',
      );
    });

    it('keeps terminal control characters out of the table', async () => {
      const file = tagsFile({ 'evil\u001b[2Jbucket\u009b': { DataClassification: 'x\u0007' } });

      const { stdout } = await run('tags', '--tags', file, '--account', ACCOUNT);

      expect(stdout).toContain('evil?[2Jbucket?');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: checking for control characters is the point
      expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    });

    it('writes JSON with every result, its problems and a summary', async () => {
      const file = tagsFile(mixed);

      const { code, stdout } = await run(
        'tags',
        '--tags',
        file,
        '--account',
        ACCOUNT,
        '--format',
        'json',
      );

      expect(code).toBe(0);
      const report = jsonOf(stdout);
      expect(report.results.map((r) => [r.bucket, r.compliance, r.problems.length])).toEqual([
        ['c-bad-level', 'NON_COMPLIANT', 1],
        ['d-no-topic', 'NON_COMPLIANT', 1],
        ['a-compliant', 'COMPLIANT', 0],
        ['b-compliant', 'COMPLIANT', 0],
      ]);
      expect(report.results[1]).toEqual({
        bucket: 'd-no-topic',
        compliance: 'NON_COMPLIANT',
        annotation: "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
        problems: ["SupportSNSTopic is missing: tag it with your team's SNS topic ARN."],
      });
      expect(report.summary).toEqual({
        buckets: 4,
        compliant: 2,
        nonCompliant: 2,
        exempt: 0,
        unreadable: 0,
        accountId: ACCOUNT,
        topicExistenceChecked: false,
      });
    });

    describe('--exempt', () => {
      it('reports the buckets a pattern names NOT_APPLICABLE, with the pattern, as the rule does', async () => {
        const file = tagsFile(mixed);

        const { code, stdout } = await run(
          'tags',
          '--tags',
          file,
          '--account',
          ACCOUNT,
          '--exempt',
          'x-*, D-*',
          '--format',
          'json',
          '--fail',
        );

        expect(code).toBe(1);
        const report = jsonOf(stdout);
        expect(report.results.find((r) => r.bucket === 'd-no-topic')).toEqual({
          bucket: 'd-no-topic',
          compliance: 'NOT_APPLICABLE',
          annotation:
            'Exempt from declaring a classification: the name matches "d-*" (exemptBuckets).',
          problems: [],
        });
        expect(report.summary).toEqual(
          expect.objectContaining({ buckets: 4, compliant: 2, nonCompliant: 1, exempt: 1 }),
        );
      });

      it('counts the exempt buckets in the totals, and --fail passes when only they lack tags', async () => {
        const file = tagsFile({ 'a-compliant': compliantTags, 'web-logs': {} });

        const { code, stdout } = await run(
          'tags',
          '--tags',
          file,
          '--account',
          ACCOUNT,
          '--exempt',
          '*-logs',
          '--fail',
        );

        expect(stdout).toContain('2 buckets: 1 compliant, 0 non-compliant, 1 exempt.');
        expect(code).toBe(0);
      });

      it('refuses a pattern no bucket name could match, naming the option', async () => {
        const { code, stderr } = await run(
          'tags',
          '--tags',
          tagsFile(mixed),
          '--account',
          ACCOUNT,
          '--exempt',
          'web_logs',
        );

        expect(code).toBe(2);
        expect(stderr).toContain(
          '--exempt: the pattern "web_logs" may hold only what a bucket name holds',
        );
      });
    });

    it('writes CSV with a header and one row per bucket, quoting where needed', async () => {
      const file = tagsFile(mixed);

      const { stdout } = await run('tags', '--tags', file, '--account', ACCOUNT, '--format', 'csv');

      expect(parseCsv(stdout)).toEqual([
        ['bucket', 'compliance', 'annotation'],
        [
          'c-bad-level',
          'NON_COMPLIANT',
          `DataClassification "TopSecret" is not a level (${LEVELS}).`,
        ],
        [
          'd-no-topic',
          'NON_COMPLIANT',
          "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
        ],
        ['a-compliant', 'COMPLIANT', `Declares Public; alerts go to ${TOPIC}.`],
        ['b-compliant', 'COMPLIANT', `Declares Confidential; alerts go to ${TOPIC}.`],
      ]);
    });

    it('defuses CSV cells a spreadsheet would run as a formula', async () => {
      const file = tagsFile({ '=HYPERLINK("http://x")': compliantTags, '@SUM(A1)': compliantTags });

      const { stdout } = await run('tags', '--tags', file, '--account', ACCOUNT, '--format', 'csv');

      const buckets = parseCsv(stdout)
        .slice(1)
        .map((row) => row[0]);
      expect(buckets.sort()).toEqual(['\'=HYPERLINK("http://x")', "'@SUM(A1)"]);
    });
  });

  describe('the offline note', () => {
    it('says on stderr, once, that topic existence is not checked, keeping stdout clean', async () => {
      const file = tagsFile({ a: compliantTags });

      const { stdout, stderr } = await run(
        'tags',
        '--tags',
        file,
        '--account',
        ACCOUNT,
        '--format',
        'json',
      );

      expect(stderr).toBe(
        'note: topic existence is not checked offline; use --live to look the topics up.\n',
      );
      expect(() => JSON.parse(stdout)).not.toThrow();
    });
  });

  describe('exit codes', () => {
    it('exits 0 with non-compliant buckets when --fail is not given', async () => {
      const file = tagsFile({ a: {} });

      const { code } = await run('tags', '--tags', file, '--account', ACCOUNT);

      expect(code).toBe(0);
    });

    it('exits 1 with --fail when any bucket is non-compliant', async () => {
      const file = tagsFile({ a: compliantTags, b: {} });

      const { code, stdout } = await run('tags', '--tags', file, '--account', ACCOUNT, '--fail');

      expect(code).toBe(1);
      expect(stdout).toContain('2 buckets: 1 compliant, 1 non-compliant.');
    });

    it('exits 0 with --fail when every bucket is compliant', async () => {
      const file = tagsFile({ a: compliantTags, b: compliantTags });

      const { code } = await run('tags', '--tags', file, '--account', ACCOUNT, '--fail');

      expect(code).toBe(0);
    });

    it.each([
      [
        'is missing',
        () => `${temp.path}/missing.json`,
        /--tags .*missing\.json: cannot read \(ENOENT\)/,
      ],
      ['is not JSON', () => temp.write('bad.json', '{'), /--tags .*bad\.json: invalid JSON/],
      [
        'has a tag value that is not a string',
        () => temp.write('bad.json', '{"a": {"Team": 1}}'),
        /--tags .*bad\.json: a\.Team: Invalid input: expected string, received number/,
      ],
    ])('exits 2 when the tags file %s', async (_, file, message) => {
      const { code, stdout, stderr } = await run('tags', '--tags', file(), '--account', ACCOUNT);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
    });

    it('exits 2 with the problems when the policy is invalid', async () => {
      const file = tagsFile({ a: compliantTags });
      const policy = temp.write('policy.yaml', 'levels: []\n');

      const { code, stdout, stderr } = await run(
        'tags',
        '--tags',
        file,
        '--account',
        ACCOUNT,
        '--policy',
        policy,
      );

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/invalid policy .*\n {2}.*policy\.yaml:1: levels: /);
    });
  });

  describe('usage errors (exit 2, nothing on stdout)', () => {
    it.each<[string, () => string[], RegExp]>([
      [
        '--tags and --live together',
        () => ['--tags', tagsFile({}), '--live', '--account', ACCOUNT],
        /either --tags FILE or --live, not both/,
      ],
      ['neither --tags nor --live', () => ['--account', ACCOUNT], /needs --tags FILE .* or --live/],
      [
        'no --account and no allowed topic accounts',
        () => ['--tags', tagsFile({})],
        /needs --account ID .* or --allowed-topic-accounts .*ALLOWED_TOPIC_ACCOUNTS.*topic account cannot be judged/,
      ],
      [
        'an --allowed-topic-accounts entry that is not an account ID',
        () => ['--tags', tagsFile({}), '--allowed-topic-accounts', `${ACCOUNT},12345`],
        /--allowed-topic-accounts must be a comma-separated list of 12-digit account IDs; not an account ID: "12345"/,
      ],
      [
        'an empty --allowed-topic-accounts',
        () => ['--tags', tagsFile({}), '--account', ACCOUNT, '--allowed-topic-accounts', ' , '],
        /--allowed-topic-accounts needs at least one 12-digit account ID/,
      ],
      [
        'an --account that is not an account ID',
        () => ['--tags', tagsFile({}), '--account', 'acme'],
        /--account must be a 12-digit account ID; got "acme"/,
      ],
      [
        'an --account of 13 digits',
        () => ['--tags', tagsFile({}), '--account', '1111222233334'],
        /--account must be a 12-digit account ID; got "1111222233334"/,
      ],
      [
        'an --account of 11 digits',
        () => ['--tags', tagsFile({}), '--account', '11112222333'],
        /--account must be a 12-digit account ID; got "11112222333"/,
      ],
      [
        'an --allowed-topic-accounts entry of 13 digits',
        () => ['--tags', tagsFile({}), '--allowed-topic-accounts', '1111222233334'],
        /not an account ID: "1111222233334"/,
      ],
      [
        'an --allowed-topic-accounts entry of 11 digits',
        () => ['--tags', tagsFile({}), '--allowed-topic-accounts', '11112222333'],
        /not an account ID: "11112222333"/,
      ],
      [
        'an unknown format',
        () => ['--tags', tagsFile({}), '--account', ACCOUNT, '--format', 'yaml'],
        /--format must be one of table, json, csv; got "yaml"/,
      ],
      [
        '--region with --tags',
        () => ['--tags', tagsFile({}), '--account', ACCOUNT, '--region', 'eu-west-1'],
        /--region is for --live/,
      ],
      [
        '--account with --live',
        () => ['--live', '--region', 'eu-west-1', '--account', ACCOUNT],
        /--account is for --tags/,
      ],
      [
        '--live without --region or AWS_REGION',
        () => ['--live'],
        /tags --live needs --region REGION or AWS_REGION/,
      ],
      [
        'a positional argument',
        () => ['--tags', tagsFile({}), '--account', ACCOUNT, 'extra'],
        /tags takes no arguments besides its options; got "extra"/,
      ],
      ['an unknown option', () => ['--live', '--bucket', 'x'], /--bucket/],
      [
        '--accounts and --organization together',
        () => ['--live', '--region', 'eu-west-1', '--accounts', ACCOUNT, '--organization'],
        /--accounts and --organization do not combine/,
      ],
      [
        '--accounts with --tags',
        () => ['--tags', tagsFile({}), '--account', ACCOUNT, '--accounts', OTHER_ACCOUNT],
        /--accounts is for --live/,
      ],
      [
        '--organization with --tags',
        () => ['--tags', tagsFile({}), '--account', ACCOUNT, '--organization'],
        /--organization is for --live/,
      ],
      [
        '--member-role with --tags',
        () => ['--tags', tagsFile({}), '--account', ACCOUNT, '--member-role', 'Audit'],
        /--member-role is for --live/,
      ],
      [
        '--accounts without --live or --tags',
        () => ['--accounts', ACCOUNT],
        /needs --tags FILE .* or --live/,
      ],
      [
        '--member-role without --accounts or --organization',
        () => ['--live', '--region', 'eu-west-1', '--member-role', 'Audit'],
        /--member-role is for --accounts or --organization/,
      ],
      [
        'an --accounts entry of 11 digits, naming the option',
        () => ['--live', '--region', 'eu-west-1', '--accounts', `${ACCOUNT},11112222333`],
        /--accounts must be a comma-separated list of 12-digit account IDs; not an account ID: "11112222333"/,
      ],
      [
        'an --accounts entry of 13 digits, naming the option',
        () => ['--live', '--region', 'eu-west-1', '--accounts', '1111222233334'],
        /--accounts must be .*not an account ID: "1111222233334"/,
      ],
      [
        'an empty --accounts',
        () => ['--live', '--region', 'eu-west-1', '--accounts', ' , '],
        /--accounts needs at least one 12-digit account ID/,
      ],
      [
        'a --member-role that is not an IAM role name',
        () => ['--live', '--region', 'eu-west-1', '--organization', '--member-role', 'a/b'],
        /--member-role must be an IAM role name .*; got "a\/b"/,
      ],
    ])('rejects %s', async (_, args, message) => {
      const { code, stdout, stderr } = await run('tags', ...args());

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr).toContain('Run "bucket-classification --help" for usage.');
    });

    it('rejects a MEMBER_ROLE_NAME that is not an IAM role name, naming it', async () => {
      process.env.MEMBER_ROLE_NAME = 'role name with spaces';

      const { code, stderr } = await run(
        'tags',
        '--live',
        '--region',
        'eu-west-1',
        '--organization',
      );

      expect(code).toBe(2);
      expect(stderr).toMatch(
        /MEMBER_ROLE_NAME must be an IAM role name .*; got "role name with spaces"/,
      );
    });

    it('rejects an ALLOWED_TOPIC_ACCOUNTS that is not a list of account IDs, naming it', async () => {
      process.env.ALLOWED_TOPIC_ACCOUNTS = 'everyone';

      const { code, stderr } = await run('tags', '--tags', tagsFile({}), '--account', ACCOUNT);

      expect(code).toBe(2);
      expect(stderr).toMatch(/ALLOWED_TOPIC_ACCOUNTS must be .*not an account ID: "everyone"/);
    });
  });

  it('is listed in --help', async () => {
    const { stdout } = await run('--help');

    expect(stdout).toContain('bucket-classification tags --tags FILE [--account ID]');
    expect(stdout).toContain(
      'bucket-classification tags --live [--accounts ID,... | --organization] [--member-role NAME]',
    );
  });
});

// Fake AWS adapters for --live: the caller's account, other accounts, the organisation.

interface FakeAws {
  readonly aws: LiveAws;
  readonly regionsListed: string[];
  readonly topicsLookedUp: string[];
  /** The accounts whose adapters were asked for, in order. */
  readonly accountsReached: string[];
  readonly closed: () => boolean;
}

/** What one account holds. */
interface FakeAccount {
  readonly buckets?: Record<string, Record<string, string> | Error> | Error;
  /**
   * Topic ARN -> what the directory answers: a status, or `true` (deliverable),
   * `false` (missing), `undefined` (not authorised), an error (what could not be
   * checked). ARNs not listed do not exist.
   */
  readonly topics?: Record<string, TopicStatus | boolean | undefined | Error>;
  /** Topic ARN -> what reading its tags finds; by default it opted in. */
  readonly topicTags?: Record<string, TopicTags>;
}

/** The caller's account (`account`, default ACCOUNT) holds what the top level says. */
interface FakeSetup extends FakeAccount {
  readonly account?: string | Error;
  /** Other accounts by id: what each holds, or the error reaching it fails with. */
  readonly others?: Record<string, FakeAccount | Error>;
  /** What Organizations ListAccounts answers. */
  readonly organization?: Array<{ accountId: string; state: string }> | Error;
}

function fakeAws(setup: FakeSetup): FakeAws {
  const regionsListed: string[] = [];
  const topicsLookedUp: string[] = [];
  const accountsReached: string[] = [];
  let closed = false;
  const { account = ACCOUNT, others = {}, organization = [] } = setup;

  const adapters = (held: FakeAccount): AccountAws => {
    const { buckets = {}, topics = {} } = held;
    const topicTags = new FakeTopicTags(held.topicTags);
    return {
      inventory: {
        bucketNames: async (region) => {
          regionsListed.push(region);
          if (buckets instanceof Error) throw buckets;
          return Object.keys(buckets);
        },
      },
      tagSource: {
        tagsOf: async (bucket) => {
          const tags = buckets instanceof Error ? undefined : buckets[bucket];
          if (tags === undefined) throw awsError('NoSuchBucket');
          if (tags instanceof Error) throw tags;
          return tags;
        },
      },
      topics: {
        check: async (arn) => {
          topicsLookedUp.push(arn);
          const answer = Object.hasOwn(topics, arn) ? topics[arn] : false;
          if (answer instanceof Error) return { kind: 'unknown', reason: answer.name };
          if (answer === undefined) return { kind: 'unknown', reason: 'AuthorizationError' };
          if (typeof answer === 'boolean') return { kind: answer ? 'deliverable' : 'missing' };
          return answer;
        },
        tagsOf: (arn) => topicTags.tagsOf(arn),
      },
    };
  };

  const aws: LiveAws = {
    callerAccountId: async () => {
      if (account instanceof Error) throw account;
      return account;
    },
    organizationAccounts: async () => {
      if (organization instanceof Error) throw organization;
      return organization;
    },
    account: async (accountId) => {
      accountsReached.push(accountId);
      if (accountId === account) return adapters(setup);
      const held = others[accountId] ?? {};
      if (held instanceof Error) throw held;
      return adapters(held);
    },
    close: () => {
      closed = true;
    },
  };
  return { aws, regionsListed, topicsLookedUp, accountsReached, closed: () => closed };
}

interface LiveRun extends CliRun {
  readonly fake: FakeAws;
  readonly regionsBuilt: string[];
  readonly rolesBuilt: string[];
}

async function runLive(
  setup: FakeSetup,
  overrides: Partial<Pick<TagsCheckOptions, 'format' | 'fail' | 'requirements'>> = {},
  scope: AccountScope = { kind: 'caller' },
  memberRoleName = 'BucketClassificationMember',
): Promise<LiveRun> {
  const fake = fakeAws(setup);
  const regionsBuilt: string[] = [];
  const rolesBuilt: string[] = [];
  let stdout = '';
  let stderr = '';
  const code = await runTagsCheck(
    {
      input: { kind: 'live', region: 'eu-west-1', scope, memberRoleName },
      policy: loadPolicy(),
      requirements: { keys: DEFAULT_TAG_KEYS, allowedTopicAccounts: [], requireTeam: false },
      topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
      format: 'json',
      fail: false,
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      ...overrides,
    },
    {
      liveAws: (region, roleName) => {
        regionsBuilt.push(region);
        rolesBuilt.push(roleName);
        return fake.aws;
      },
    },
  );
  return { code, stdout, stderr, fake, regionsBuilt, rolesBuilt };
}

describe('runTagsCheck --live, with injected AWS adapters', () => {
  const resultsOf = (stdout: string) =>
    Object.fromEntries(jsonOf(stdout).results.map((r) => [r.bucket, r]));

  it("judges the buckets of the region with the caller's account and no offline note", async () => {
    // Prepare
    const setup = {
      buckets: {
        'acme-good': compliantTags,
        'acme-foreign': { ...compliantTags, SupportSNSTopic: OTHER_TOPIC },
      },
      topics: { [TOPIC]: true },
    };

    // Act
    const { code, stdout, stderr, fake, regionsBuilt } = await runLive(setup);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(regionsBuilt).toEqual(['eu-west-1']);
    expect(fake.regionsListed).toEqual(['eu-west-1']);
    const results = resultsOf(stdout);
    expect(results['acme-good']?.compliance).toBe('COMPLIANT');
    expect(results['acme-foreign']?.annotation).toBe(
      `SupportSNSTopic is in account ${OTHER_ACCOUNT}; allowed: ${ACCOUNT}.`,
    );
    expect(jsonOf(stdout).summary).toEqual({
      buckets: 2,
      compliant: 1,
      nonCompliant: 1,
      exempt: 0,
      unreadable: 0,
      accountId: ACCOUNT,
      topicExistenceChecked: true,
    });
  });

  it('holds a topic that has not opted in against its buckets, naming the tag to add', async () => {
    const setup = {
      buckets: { 'acme-good': compliantTags },
      topics: { [TOPIC]: true },
      topicTags: { [TOPIC]: { kind: 'read', tags: {} } as const },
    };

    const { stdout, stderr } = await runLive(setup);

    expect(stderr).toBe('');
    expect(resultsOf(stdout)['acme-good']).toEqual(
      expect.objectContaining({
        compliance: 'NON_COMPLIANT',
        annotation:
          'SupportSNSTopic topic analytics-alerts has not opted in to alerts: tag the topic AcceptsClassificationAlerts=true.',
      }),
    );
  });

  it('warns about topic tags it cannot read, and does not hold them against the bucket', async () => {
    const setup = {
      buckets: { 'acme-good': compliantTags },
      topics: { [TOPIC]: true },
      topicTags: {
        [TOPIC]: { kind: 'unreadable', reason: 'AuthorizationErrorException' } as const,
      },
    };

    const { stdout, stderr } = await runLive(setup);

    expect(resultsOf(stdout)['acme-good']?.compliance).toBe('COMPLIANT');
    expect(stderr).toBe(
      `warning: could not read the tags of topic ${TOPIC} (AuthorizationErrorException); its opt-in is not held against its buckets.\n`,
    );
  });

  it('reports a bucket whose tags cannot be read as non-compliant with the error name', async () => {
    const setup = {
      buckets: {
        'acme-locked': awsError('AccessDenied', 'Access Denied'),
        'acme-good': compliantTags,
      },
      topics: { [TOPIC]: true },
    };

    const { stdout } = await runLive(setup);

    expect(resultsOf(stdout)['acme-locked']).toEqual({
      bucket: 'acme-locked',
      compliance: 'NON_COMPLIANT',
      annotation: 'Tags could not be read: AccessDenied.',
      problems: ['Tags could not be read: AccessDenied.'],
    });
    expect(jsonOf(stdout).summary).toMatchObject({ buckets: 2, nonCompliant: 1, unreadable: 1 });
  });

  it('reports a topic in the caller account that does not exist', async () => {
    const missing = `arn:aws:sns:eu-west-1:${ACCOUNT}:gone-alerts`;
    const setup = {
      buckets: { 'acme-orphan': { ...compliantTags, SupportSNSTopic: missing } },
      topics: { [missing]: false },
    };

    const { stdout, fake } = await runLive(setup);

    expect(fake.topicsLookedUp).toEqual([missing]);
    expect(resultsOf(stdout)['acme-orphan']).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation: 'SupportSNSTopic topic gone-alerts does not exist in eu-west-1.',
    });
  });

  it('looks each topic up once, and only topics in the caller account', async () => {
    const setup = {
      buckets: {
        'acme-one': compliantTags,
        'acme-two': compliantTags,
        'acme-partner': { ...compliantTags, SupportSNSTopic: OTHER_TOPIC },
      },
      topics: { [TOPIC]: true },
    };

    const { stdout, fake } = await runLive(setup, {
      requirements: {
        keys: DEFAULT_TAG_KEYS,
        allowedTopicAccounts: [ACCOUNT, OTHER_ACCOUNT],
        requireTeam: false,
      },
    });

    expect(fake.topicsLookedUp).toEqual([TOPIC]);
    expect(jsonOf(stdout).summary).toMatchObject({ compliant: 3, nonCompliant: 0 });
  });

  it('warns and does not hold a topic against its buckets when it may not be looked up', async () => {
    const setup = { buckets: { 'acme-good': compliantTags }, topics: { [TOPIC]: undefined } };

    const { stdout, stderr } = await runLive(setup);

    expect(resultsOf(stdout)['acme-good']?.compliance).toBe('COMPLIANT');
    expect(stderr).toBe(
      `warning: could not look up topic ${TOPIC} (AuthorizationError); not held against its buckets.\n`,
    );
  });

  it.each<[string, TopicStatus, string]>([
    [
      'a FIFO topic',
      { kind: 'fifo' },
      'SupportSNSTopic topic analytics-alerts is a FIFO topic, which refuses alerts (they have no message group): use a standard topic.',
    ],
    [
      'a topic without a confirmed subscription',
      { kind: 'unconfirmed' },
      'SupportSNSTopic topic analytics-alerts has no confirmed subscription, so alerts reach nobody: subscribe your team and confirm it.',
    ],
  ])('holds %s against its buckets, as the rule does', async (_case, status, annotation) => {
    const setup = { buckets: { 'acme-good': compliantTags }, topics: { [TOPIC]: status } };

    const { stdout } = await runLive(setup);

    expect(resultsOf(stdout)['acme-good']).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation,
    });
  });

  it('warns and does not hold a topic against its buckets when the lookup fails', async () => {
    const setup = {
      buckets: { 'acme-good': compliantTags },
      topics: { [TOPIC]: awsError('ThrottlingException') },
    };

    const { code, stdout, stderr } = await runLive(setup);

    expect(code).toBe(0);
    expect(resultsOf(stdout)['acme-good']?.compliance).toBe('COMPLIANT');
    expect(stderr).toBe(
      `warning: could not look up topic ${TOPIC} (ThrottlingException); not held against its buckets.\n`,
    );
  });

  it('exits 1 with --fail when a bucket is non-compliant, 0 when none is', async () => {
    const failing = await runLive({ buckets: { 'acme-bad': {} } }, { fail: true });
    const passing = await runLive(
      { buckets: { 'acme-good': compliantTags }, topics: { [TOPIC]: true } },
      { fail: true },
    );

    expect(failing.code).toBe(1);
    expect(passing.code).toBe(0);
  });

  it('prints the table like the offline check', async () => {
    const { stdout } = await runLive(
      { buckets: { 'acme-locked': awsError('AccessDenied') } },
      { format: 'table' },
    );

    expect(stdout).toMatch(
      /^BUCKET {7}COMPLIANCE {5}ANNOTATION\nacme-locked {2}NON_COMPLIANT {2}Tags could not be read: AccessDenied\.\n\n1 bucket: 0 compliant, 1 non-compliant\.\n$/,
    );
  });

  it.each<[string, FakeSetup, RegExp]>([
    [
      'the caller account cannot be looked up',
      { account: awsError('CredentialsProviderError', 'Could not load credentials') },
      /could not look up the caller's account \(STS GetCallerIdentity\): CredentialsProviderError: Could not load credentials/,
    ],
    [
      'the buckets cannot be listed',
      { buckets: awsError('AccessDenied', 'Access Denied') },
      /could not list the buckets in eu-west-1: AccessDenied: Access Denied/,
    ],
  ])('exits 2 with a message when %s, and releases the clients', async (_, setup, message) => {
    const { code, stdout, stderr, fake } = await runLive(setup);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(fake.closed()).toBe(true);
  });

  it('releases the clients after a sweep', async () => {
    const { fake } = await runLive({ buckets: { 'acme-good': compliantTags } });

    expect(fake.closed()).toBe(true);
  });
});

describe('tagsCheckOptions: which accounts --live sweeps', () => {
  const io = { stdout: () => undefined, stderr: () => undefined };
  const flags = {
    tags: undefined,
    live: true,
    account: undefined,
    accounts: undefined,
    organization: false,
    memberRole: undefined,
    region: 'eu-west-1',
    allowedTopicAccounts: undefined,
    requireTeam: false,
    policy: undefined,
    format: 'table',
    fail: false,
  };

  it("sweeps the caller's account alone without --accounts or --organization", () => {
    const { input } = tagsCheckOptions(flags, {}, io);

    expect(input).toEqual({
      kind: 'live',
      region: 'eu-west-1',
      scope: { kind: 'caller' },
      memberRoleName: 'BucketClassificationMember',
    });
  });

  it('sweeps each account of --accounts once, in the order given, through the default role', () => {
    const { input } = tagsCheckOptions(
      { ...flags, accounts: ` ${OTHER_ACCOUNT}, ${ACCOUNT} ,${OTHER_ACCOUNT}` },
      {},
      io,
    );

    expect(input).toEqual({
      kind: 'live',
      region: 'eu-west-1',
      scope: { kind: 'listed', accountIds: [OTHER_ACCOUNT, ACCOUNT] },
      memberRoleName: 'BucketClassificationMember',
    });
  });

  it('takes the role from MEMBER_ROLE_NAME, and --member-role over it', () => {
    const env = { MEMBER_ROLE_NAME: ' SecurityAudit ' };

    const fromEnv = tagsCheckOptions({ ...flags, organization: true }, env, io);
    const fromFlag = tagsCheckOptions(
      { ...flags, organization: true, memberRole: 'Inventory' },
      env,
      io,
    );

    expect(fromEnv.input).toMatchObject({
      scope: { kind: 'organization' },
      memberRoleName: 'SecurityAudit',
    });
    expect(fromFlag.input).toMatchObject({ memberRoleName: 'Inventory' });
  });
});

describe('runTagsCheck --live across accounts, with injected AWS adapters', () => {
  const MEMBER = '222233334444';
  const LOCKED = '555566667777';
  const MEMBER_TOPIC = `arn:aws:sns:eu-west-1:${MEMBER}:member-alerts`;
  const memberTags = { ...compliantTags, SupportSNSTopic: MEMBER_TOPIC };

  const deniedRole = (account: string, role = 'BucketClassificationMember') =>
    new MemberRoleError(
      'AccessDenied',
      `arn:aws:iam::${account}:role/${role}`,
      'User is not authorized to perform: sts:AssumeRole',
    );

  interface LiveJson extends JsonReport {
    readonly notSwept: Array<{ accountId: string; roleArn: string | null; error: string }>;
    readonly leftOut: Array<{ accountId: string; state: string }>;
  }

  const listed = (...accountIds: string[]): AccountScope => ({ kind: 'listed', accountIds });

  it('judges each account with its own account as the buckets’, in one report', async () => {
    // Prepare: the caller's account and a member whose bucket names the member's topic.
    const setup = {
      buckets: { 'caller-bucket': compliantTags },
      topics: { [TOPIC]: true },
      others: {
        [MEMBER]: {
          buckets: { 'member-bucket': memberTags, 'member-stray': compliantTags },
          topics: { [MEMBER_TOPIC]: true },
        },
      },
    };

    // Act
    const { code, stdout, stderr, fake, rolesBuilt } = await runLive(
      setup,
      {},
      listed(ACCOUNT, MEMBER),
    );

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(rolesBuilt).toEqual(['BucketClassificationMember']);
    expect(fake.accountsReached.sort()).toEqual([MEMBER, ACCOUNT].sort());
    expect(fake.topicsLookedUp.sort()).toEqual([MEMBER_TOPIC, TOPIC].sort());
    const report = JSON.parse(stdout) as LiveJson;
    expect(report.results).toEqual([
      {
        accountId: MEMBER,
        bucket: 'member-stray',
        compliance: 'NON_COMPLIANT',
        annotation: `SupportSNSTopic is in account ${ACCOUNT}; allowed: ${MEMBER}.`,
        problems: [`SupportSNSTopic is in account ${ACCOUNT}; allowed: ${MEMBER}.`],
      },
      {
        accountId: ACCOUNT,
        bucket: 'caller-bucket',
        compliance: 'COMPLIANT',
        annotation: `Declares Confidential; alerts go to ${TOPIC}.`,
        problems: [],
      },
      {
        accountId: MEMBER,
        bucket: 'member-bucket',
        compliance: 'COMPLIANT',
        annotation: `Declares Confidential; alerts go to ${MEMBER_TOPIC}.`,
        problems: [],
      },
    ]);
    expect(report.notSwept).toEqual([]);
    expect(report.leftOut).toEqual([]);
    expect(report.summary).toEqual({
      buckets: 3,
      compliant: 2,
      nonCompliant: 1,
      exempt: 0,
      unreadable: 0,
      accountId: null,
      topicExistenceChecked: true,
      accounts: { swept: 2, notSwept: 0, leftOut: 0 },
    });
  });

  it('prints one table with an account column and the totals across accounts', async () => {
    const setup = {
      buckets: { 'caller-bucket': compliantTags },
      topics: { [TOPIC]: true },
      others: { [MEMBER]: { buckets: { 'member-bare': {} } } },
    };

    const { stdout } = await runLive(setup, { format: 'table' }, listed(ACCOUNT, MEMBER));

    expect(stdout.split('\n')).toEqual([
      'ACCOUNT       BUCKET         COMPLIANCE     ANNOTATION',
      `${MEMBER}  member-bare    NON_COMPLIANT  DataClassification is missing: tag it with one of ${LEVELS}. SupportSNSTopic is missing: tag it with your team's SNS topic ARN.`,
      `${ACCOUNT}  caller-bucket  COMPLIANT      Declares Confidential; alerts go to ${TOPIC}.`,
      '',
      '2 buckets in 2 accounts: 1 compliant, 1 non-compliant.',
      '',
    ]);
  });

  it('writes CSV with an account column', async () => {
    const setup = { others: { [MEMBER]: { buckets: { 'member-bare': {} } } } };

    const { stdout } = await runLive(setup, { format: 'csv' }, listed(MEMBER));

    expect(parseCsv(stdout)).toEqual([
      ['account', 'bucket', 'compliance', 'annotation'],
      [
        MEMBER,
        'member-bare',
        'NON_COMPLIANT',
        `DataClassification is missing: tag it with one of ${LEVELS}. SupportSNSTopic is missing: tag it with your team's SNS topic ARN.`,
      ],
    ]);
  });

  describe('an account that cannot be swept', () => {
    const setup: FakeSetup = {
      buckets: { 'caller-bucket': compliantTags },
      topics: { [TOPIC]: true },
      others: {
        [LOCKED]: deniedRole(LOCKED),
        [MEMBER]: { buckets: awsError('AccessDenied', 'Access Denied') },
      },
    };
    const lockedError = `could not assume arn:aws:iam::${LOCKED}:role/BucketClassificationMember: AccessDenied: User is not authorized to perform: sts:AssumeRole`;
    const memberError = `could not list the buckets in eu-west-1 as arn:aws:iam::${MEMBER}:role/BucketClassificationMember: AccessDenied: Access Denied`;

    it('is named on stderr with its role and error, and the sweep exits 2', async () => {
      const { code, stderr } = await runLive(setup, {}, listed(ACCOUNT, LOCKED, MEMBER));

      expect(code).toBe(2);
      expect(stderr.split('\n').sort()).toEqual(
        [
          '',
          `bucket-classification: account ${LOCKED} not swept: ${lockedError}`,
          `bucket-classification: account ${MEMBER} not swept: ${memberError}`,
        ].sort(),
      );
    });

    it('is listed in JSON, while the other accounts are still judged', async () => {
      const { stdout } = await runLive(setup, {}, listed(ACCOUNT, LOCKED, MEMBER));

      const report = JSON.parse(stdout) as LiveJson;
      expect(report.notSwept).toEqual([
        {
          accountId: MEMBER,
          roleArn: `arn:aws:iam::${MEMBER}:role/BucketClassificationMember`,
          error: memberError,
        },
        {
          accountId: LOCKED,
          roleArn: `arn:aws:iam::${LOCKED}:role/BucketClassificationMember`,
          error: lockedError,
        },
      ]);
      expect(report.results.map((r) => [r.accountId, r.bucket])).toEqual([
        [ACCOUNT, 'caller-bucket'],
      ]);
      expect(report.summary.accounts).toEqual({ swept: 1, notSwept: 2, leftOut: 0 });
    });

    it('is a NOT_SWEPT row first in the table, and the totals say the sweep is incomplete', async () => {
      const { stdout } = await runLive(setup, { format: 'table' }, listed(ACCOUNT, LOCKED));

      const lines = stdout.split('\n');
      expect(lines[0]).toBe('ACCOUNT       BUCKET         COMPLIANCE  ANNOTATION');
      expect(lines[1]).toBe(`${LOCKED}  -              NOT_SWEPT   ${lockedError}`);
      expect(lines[2]).toMatch(new RegExp(`^${ACCOUNT} {2}caller-bucket {2}COMPLIANT `));
      expect(lines.slice(3)).toEqual([
        '',
        '1 bucket in 1 of 2 accounts: 1 compliant, 0 non-compliant.',
        '1 account not swept (NOT_SWEPT above): the sweep is incomplete.',
        '',
      ]);
    });

    it('is a NOT_SWEPT row in CSV', async () => {
      const { stdout } = await runLive(setup, { format: 'csv' }, listed(LOCKED));

      expect(parseCsv(stdout)).toEqual([
        ['account', 'bucket', 'compliance', 'annotation'],
        [LOCKED, '', 'NOT_SWEPT', lockedError],
      ]);
    });

    it("names the caller's own credentials when its own account's buckets cannot be listed", async () => {
      const { code, stdout } = await runLive(
        { buckets: awsError('AccessDenied', 'Access Denied') },
        {},
        listed(ACCOUNT),
      );

      expect(code).toBe(2);
      expect((JSON.parse(stdout) as LiveJson).notSwept).toEqual([
        {
          accountId: ACCOUNT,
          roleArn: null,
          error: `could not list the buckets in eu-west-1 with the caller's credentials: AccessDenied: Access Denied`,
        },
      ]);
    });

    it('names the role given with --member-role', async () => {
      const { stdout, rolesBuilt } = await runLive(
        { others: { [MEMBER]: { buckets: awsError('AccessDenied', 'Access Denied') } } },
        {},
        listed(MEMBER),
        'SecurityAudit',
      );

      expect(rolesBuilt).toEqual(['SecurityAudit']);
      expect((JSON.parse(stdout) as LiveJson).notSwept[0]?.roleArn).toBe(
        `arn:aws:iam::${MEMBER}:role/SecurityAudit`,
      );
    });

    it('exits 2 with --fail too: an incomplete sweep outranks a non-compliant bucket', async () => {
      const { code } = await runLive(
        { buckets: { bare: {} }, others: { [LOCKED]: deniedRole(LOCKED) } },
        { fail: true },
        listed(ACCOUNT, LOCKED),
      );

      expect(code).toBe(2);
    });
  });

  it('exits 1 with --fail when every account was swept and a bucket is non-compliant, 0 without', async () => {
    const setup = { buckets: { bare: {} }, others: { [MEMBER]: { buckets: {} } } };

    const failing = await runLive(setup, { fail: true }, listed(ACCOUNT, MEMBER));
    const plain = await runLive(setup, {}, listed(ACCOUNT, MEMBER));

    expect(failing.code).toBe(1);
    expect(plain.code).toBe(0);
  });

  describe('--organization', () => {
    const organization = [
      { accountId: ACCOUNT, state: 'ACTIVE' },
      { accountId: MEMBER, state: 'ACTIVE' },
      { accountId: LOCKED, state: 'SUSPENDED' },
      { accountId: '888899990000', state: 'PENDING_CLOSURE' },
    ];

    it('sweeps the ACTIVE accounts and says which others are left out', async () => {
      const setup = {
        buckets: { 'caller-bucket': compliantTags },
        topics: { [TOPIC]: true },
        organization,
        others: {
          [MEMBER]: { buckets: { 'member-bucket': memberTags }, topics: { [MEMBER_TOPIC]: true } },
        },
      };

      const { code, stdout, stderr, fake } = await runLive(setup, {}, { kind: 'organization' });

      expect(code).toBe(0);
      expect(fake.accountsReached.sort()).toEqual([MEMBER, ACCOUNT].sort());
      expect(stderr).toBe(
        `note: 2 accounts of the organisation are not ACTIVE and are left out: ${LOCKED} (SUSPENDED), 888899990000 (PENDING_CLOSURE).\n`,
      );
      const report = JSON.parse(stdout) as LiveJson;
      expect(report.results.map((r) => [r.accountId, r.bucket])).toEqual([
        [ACCOUNT, 'caller-bucket'],
        [MEMBER, 'member-bucket'],
      ]);
      expect(report.leftOut).toEqual([
        { accountId: LOCKED, state: 'SUSPENDED' },
        { accountId: '888899990000', state: 'PENDING_CLOSURE' },
      ]);
      expect(report.summary.accounts).toEqual({ swept: 2, notSwept: 0, leftOut: 2 });
    });

    it('says so in the table totals, one account in the singular', async () => {
      const { stdout } = await runLive(
        {
          organization: [
            { accountId: ACCOUNT, state: 'ACTIVE' },
            { accountId: LOCKED, state: 'SUSPENDED' },
          ],
        },
        { format: 'table' },
        { kind: 'organization' },
      );

      expect(stdout).toBe(
        'ACCOUNT  BUCKET  COMPLIANCE  ANNOTATION\n\n' +
          '0 buckets in 1 account: 0 compliant, 0 non-compliant.\n' +
          '1 account of the organisation not ACTIVE, left out.\n',
      );
    });

    it('exits 2 naming Organizations ListAccounts when the accounts cannot be listed', async () => {
      const { code, stdout, stderr, fake } = await runLive(
        {
          organization: awsError(
            'AWSOrganizationsNotInUseException',
            'Your account is not a member of an organization.',
          ),
        },
        {},
        { kind: 'organization' },
      );

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        "bucket-classification: tags --live: could not list the organisation's accounts (Organizations ListAccounts; run it from the management account or a delegated administrator): AWSOrganizationsNotInUseException: Your account is not a member of an organization.\n",
      );
      expect(fake.closed()).toBe(true);
    });
  });
});
