/**
 * The bad-input corpus (test/events/bad/): every case, with the outcome the table in
 * its README gives, read from there. Each case must end in one clear outcome (judged,
 * ignored with a reason, kept for central security, or an error naming the input),
 * never in an uncaught exception or silence; and whatever reaches a reader stays
 * inert and bounded.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { createTagRule } from '../../flows/check-bucket-tags';
import { createFindingTracker, type TrackingOutcome } from '../../flows/track-finding';
import type { Evaluation } from '../../lib/config-evaluations';
import type { BucketPage } from '../../lib/s3-bucket-inventory';
import type { TopicStatus } from '../../lib/sns-topic-directory';
import { loadPolicy } from '../../policies/load-policy';
import { type BuiltCliRun, removeBuiltCli, runBuiltCli } from '../support/cli';
import {
  CENTRAL_TOPIC,
  FakeMetrics,
  FakePublisher,
  FakeTags,
  FakeTopicTags,
  ledgerSettings,
  tagRuleTestSettings,
} from '../support/fakes';
import { MemoryLedger } from '../support/memory-ledger';
import { createTempDir, type TempDir } from '../support/temp-dir';

const CORPUS = path.resolve(__dirname, '../events/bad');
const TEAM_TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
/** SNS takes at most 256 KiB per message. */
const SNS_MESSAGE_LIMIT = 262_144;

/** One row of the README's table. */
interface Case {
  readonly input: string;
  /**
   * `finding`: validateFinding's flow; `config`: checkBucketTags' flow; `cli`:
   * `check` on the input; `cli-tags`: `check` with the input as `--tags`;
   * `cli-policy`: `policy validate` on the input.
   */
  readonly against: 'finding' | 'config' | 'cli' | 'cli-tags' | 'cli-policy';
  readonly outcome: string;
}

/** The rows of the table under "## Cases" in the corpus README. */
function cases(): Case[] {
  const readme = readFileSync(path.join(CORPUS, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Cases'));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [input = '', against = '', outcome = ''] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, ''));
      return { input, against: against as Case['against'], outcome };
    });
}

const ALL = cases();

/** Control characters a terminal or mail reader would act on (all but tab and newline). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const LIVE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** The account's topics: the team's has opted in to notices; no other topic exists. */
const OPTED_IN = new FakeTopicTags(
  new Proxy(
    {},
    {
      get: (_, topic) =>
        topic === TEAM_TOPIC
          ? { kind: 'read', tags: { AcceptsClassificationAlerts: 'true' } }
          : { kind: 'missing' },
    },
  ),
);

/** Macie events too big to keep here, made when the test runs (`generated:<name>`). */
const GENERATED_EVENTS: Readonly<Record<string, () => unknown>> = {
  /** One finding with 10,000 detected types, a Public bucket: thousands of violations. */
  'detections-10000': () => {
    const event = JSON.parse(
      readFileSync(path.resolve(__dirname, '../events/macie/sensitive-financial.json'), 'utf8'),
    );
    const { detail } = event;
    detail.resourcesAffected.s3Bucket.tags = [
      { key: 'DataClassification', value: 'Public' },
      { key: 'SupportSNSTopic', value: TEAM_TOPIC },
    ];
    detail.classificationDetails.result.sensitiveData = [
      {
        category: 'PERSONAL_INFORMATION',
        totalCount: 10_000,
        detections: Array.from({ length: 10_000 }, (_, i) => ({ type: `TYPE_${i}`, count: 1 })),
      },
    ];
    return event;
  },
  /** An event whose detail nests 5,000 levels deep. */
  'nested-5000': () => {
    let nested: unknown = 'bottom';
    for (let i = 0; i < 5000; i++) nested = { a: nested };
    return {
      version: '0',
      id: 'nested',
      source: 'aws.macie',
      'detail-type': 'Macie Finding',
      detail: nested,
    };
  },
};

async function runFinding(event: unknown) {
  const publisher = new FakePublisher();
  const metrics = new FakeMetrics();
  const track = createFindingTracker({
    settings: ledgerSettings(),
    policy: loadPolicy(),
    waivers: () => () => undefined,
    ledger: new MemoryLedger(),
    publisher,
    metrics,
    tags: new FakeTags(),
    topicTags: OPTED_IN,
    logger: new Logger({ logLevel: 'SILENT' }),
    clock: () => new Date('2026-11-30T00:00:00Z'),
    newId: () => 'notice-1',
    pause: () => Promise.resolve(),
  });
  const outcome = await track(event);
  return { outcome, publisher };
}

/** The outcome in the table's words. */
function describeFinding(outcome: TrackingOutcome, publisher: FakePublisher): string {
  const to = publisher
    .topics()
    .map((topic) => (topic === CENTRAL_TOPIC ? 'central' : topic === TEAM_TOPIC ? 'team' : topic));
  switch (outcome.outcome) {
    case 'ignored':
      return `ignored: ${outcome.reason}`;
    case 'unprocessable':
      return `kept for central security: ${outcome.reason}`;
    case 'sample':
      return `judged sample, to ${to.join(' and ') || 'nobody'}`;
    case 'recorded':
      return `judged ${outcome.verdict}, to ${to.join(' and ') || 'nobody'}`;
    case 'duplicate':
      return 'duplicate';
  }
}

/** Runs the tag rule on a Config event, in an account with one bucket and the team's topic. */
async function runConfig(
  event: unknown,
): Promise<{ evaluations: Evaluation[]; messageType: string }> {
  const evaluations: Evaluation[] = [];
  const bucketTags = { DataClassification: 'Internal', SupportSNSTopic: TEAM_TOPIC };
  const rule = createTagRule({
    settings: tagRuleTestSettings(),
    policy: loadPolicy(),
    reporter: {
      report: async (batch: readonly Evaluation[]) => {
        evaluations.push(...batch);
      },
    },
    history: { itemAt: async () => undefined },
    inventory: {
      page: async (): Promise<BucketPage> => ({ names: ['team-a-ledger'] }),
      bucketNames: async () => ['team-a-ledger'],
    },
    tags: { tagsOf: async () => bucketTags },
    topics: {
      check: async (arn: string): Promise<TopicStatus> =>
        arn === TEAM_TOPIC ? { kind: 'deliverable' } : { kind: 'missing' },
    },
    topicTags: new FakeTopicTags(),
    earlier: { evaluatedBy: async () => [] },
    handover: { handOver: async () => {} },
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  const outcome = await rule(event, { getRemainingTimeInMillis: () => 900_000 });
  return { evaluations, messageType: outcome.messageType };
}

/** The first evaluation in the table's words, or the error. */
async function describeConfig(
  event: unknown,
): Promise<{ text: string; evaluations: Evaluation[] }> {
  try {
    const { evaluations, messageType } = await runConfig(event);
    const [first] = evaluations;
    const text = first
      ? `judged ${first.compliance}: ${first.annotation ?? ''}`
      : `ignored: message type ${messageType} is not evaluated`;
    return { text, evaluations };
  } catch (error) {
    return { text: `error: ${(error as Error).message}`, evaluations: [] };
  }
}

/** A well-formed finding, for the runs that try a bad tags file. */
const GOOD_FINDING = path.resolve(__dirname, '../events/macie/sensitive-financial.json');

/**
 * Inputs too big, too odd or too machine-specific to keep in the repository, made
 * in `dir` when a test needs them: the table names them `generated:<name>`.
 */
const GENERATED: Readonly<Record<string, (dir: string) => string>> = {
  /** 3 GiB of zeros in a 3 MB gzip file. */
  'gzip-bomb': (dir) => {
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const file = path.join(dir, 'bomb.json.gz');
    writeFileSync(file, Buffer.concat(Array.from({ length: 48 }, () => member)));
    return file;
  },
  /** One line of 200 MB, no newline in it. */
  'line-200mb': (dir) => {
    const file = path.join(dir, 'long-line.jsonl');
    const chunk = Buffer.alloc(8 * 1024 * 1024, 'a');
    writeFileSync(file, '{"x":"');
    for (let i = 0; i < 25; i++) writeFileSync(file, chunk, { flag: 'a' });
    return file;
  },
  /** A directory holding a link to itself. */
  'symlink-loop': (dir) => {
    const inputs = path.join(dir, 'inputs');
    mkdirSync(inputs);
    symlinkSync(path.join(inputs, 'loop'), path.join(inputs, 'loop'));
    return path.join(inputs, 'loop');
  },
  /** A named pipe among the findings of a directory. */
  'fifo-in-directory': (dir) => {
    const inputs = path.join(dir, 'inputs');
    mkdirSync(inputs);
    writeFileSync(path.join(inputs, 'finding.json'), readFileSync(GOOD_FINDING));
    execFileSync('mkfifo', [path.join(inputs, 'pipe.json')]);
    return inputs;
  },
  'dev-zero': () => '/dev/zero',
};

/**
 * The run in the table's words: its exit code, what it judged, and what it said,
 * with the input's path as `<input>` and the scratch folder as `<dir>`.
 */
function describeRun(run: BuiltCliRun, input: string, dir: string): string {
  let judged = '';
  try {
    const report = JSON.parse(run.stdout) as { summary?: { findings?: number } };
    if (report.summary?.findings !== undefined) judged = `; ${report.summary.findings} judged`;
  } catch {
    // Not a JSON report: policy validate, or no report at all.
  }
  const said = run.stderr
    .trim()
    .replace(/\s*\n\s*/g, ' / ')
    .split(input)
    .join('<input>')
    .split(dir)
    .join('<dir>');
  return `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}${judged}; ${said}`;
}

describe('the bad-input corpus', () => {
  it('has at least 60 cases, each naming a file that exists', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(60);
  });

  describe.each(ALL.filter((c) => c.against === 'finding'))('$input', ({ input, outcome }) => {
    it(`against validateFinding: ${outcome}`, async () => {
      const make = GENERATED_EVENTS[input.replace(/^generated:/, '')];
      const event = input.startsWith('generated:')
        ? make?.()
        : JSON.parse(readFileSync(path.join(CORPUS, input), 'utf8'));

      const { outcome: actual, publisher } = await runFinding(event);

      expect(describeFinding(actual, publisher)).toContain(outcome);
      for (const { message } of publisher.sent) {
        expect(message.text).not.toMatch(LIVE_CONTROLS);
        expect(message.subject).not.toMatch(LIVE_CONTROLS);
        const published = JSON.stringify({
          default: JSON.stringify(message.document),
          email: message.text,
        });
        expect(Buffer.byteLength(published)).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe.each(ALL.filter((c) => c.against === 'config'))('$input', ({ input, outcome }) => {
    it(`against checkBucketTags: ${outcome}`, async () => {
      const event = JSON.parse(readFileSync(path.join(CORPUS, input), 'utf8'));

      const { text, evaluations } = await describeConfig(event);

      expect(text).toContain(outcome);
      for (const { annotation = '' } of evaluations) {
        expect(annotation.length).toBeLessThanOrEqual(256);
        expect(annotation).not.toMatch(LIVE_CONTROLS);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('against the command line', () => {
    let dir: TempDir;
    beforeEach(() => {
      dir = createTempDir();
    });
    afterEach(() => dir.remove());
    afterAll(() => removeBuiltCli());

    const CLI = ['cli', 'cli-tags', 'cli-policy'];
    it.each(ALL.filter((c) => CLI.includes(c.against)))(
      '$input ($against): $outcome',
      async ({ input, against, outcome }) => {
        const make = input.startsWith('generated:') ? GENERATED[input.slice(10)] : undefined;
        if (input.startsWith('generated:') && !make) throw new Error(`no generator for ${input}`);
        const file = make ? make(dir.path) : path.join(CORPUS, input);
        const args =
          against === 'cli-policy'
            ? ['policy', 'validate', file]
            : against === 'cli-tags'
              ? ['check', GOOD_FINDING, '--tags', file, '--format', 'json']
              : ['check', file, '--format', 'json'];

        const run = await runBuiltCli(args, { nodeArgs: ['--max-old-space-size=256'] });

        expect(describeRun(run, file, dir.path)).toContain(outcome);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      },
    );
  });
});
