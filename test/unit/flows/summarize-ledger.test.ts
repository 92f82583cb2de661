import { Logger } from '@aws-lambda-powertools/logger';
import { createLedgerSummary } from '../../../flows/summarize-ledger';
import type { WaiversOf } from '../../../flows/waivers';
import type { AlertMessage, AlertPublisher, PublishResult } from '../../../lib/sns-alert-publisher';
import type { TopicTags } from '../../../lib/sns-topic-directory';
import { loadPolicy } from '../../../policies/load-policy';
import type { BucketState, NoticeRecord, WaiverMatch } from '../../../rules/bucket-state';
import type { DigestDocument } from '../../../rules/digest';
import type { NoticeDocument } from '../../../rules/notice';
import { CENTRAL_TOPIC, FakeMetrics, FakeTopicTags, ledgerSettings } from '../../support/fakes';
import { MemoryLedger } from '../../support/memory-ledger';

const CENTRAL = CENTRAL_TOPIC;
const ACCOUNT = '111122223333';
const TOPIC_A = `arn:aws:sns:us-east-1:${ACCOUNT}:team-a-alerts`;
const TOPIC_A2 = `arn:aws:sns:us-east-1:${ACCOUNT}:team-a-oncall`;
const TOPIC_B = `arn:aws:sns:us-east-1:${ACCOUNT}:team-b-alerts`;
const NOW = '2025-06-01T06:00:00.000Z';

class FakePublisher implements AlertPublisher {
  readonly sent: Array<{ topicArn: string; message: AlertMessage }> = [];
  readonly refusing = new Map<string, string>();

  async publish(topicArn: string, message: AlertMessage): Promise<PublishResult> {
    const refusal = this.refusing.get(topicArn);
    if (refusal) return { kind: 'refused', errorName: refusal };
    this.sent.push({ topicArn, message });
    return { kind: 'published', messageId: `m-${this.sent.length}` };
  }

  digests(): Array<{ topicArn: string; document: DigestDocument; text: string }> {
    return this.sent
      .filter(({ message }) => message.attributes.kind === 'digest')
      .map(({ topicArn, message }) => ({
        topicArn,
        document: message.document as DigestDocument,
        text: message.text,
      }));
  }

  notices(): Array<{ topicArn: string; document: NoticeDocument }> {
    return this.sent
      .filter(({ message }) => message.attributes.kind !== 'digest')
      .map(({ topicArn, message }) => ({ topicArn, document: message.document as NoticeDocument }));
  }
}

/** A bucket in the ledger holding card numbers (Restricted data), declared as `level`. */
function bucketState(
  bucket: string,
  options: {
    level?: string;
    topic?: string;
    team?: string;
    lastNotice?: Partial<NoticeRecord> | null;
    account?: string;
  } = {},
): BucketState {
  const tags: Record<string, string> = {};
  if (options.level !== undefined) tags.DataClassification = options.level;
  if (options.topic !== undefined) tags.SupportSNSTopic = options.topic;
  if (options.team !== undefined) tags.Team = options.team;
  const notice: NoticeRecord = {
    id: `n-${bucket}`,
    kind: 'violation',
    at: '2025-05-31T10:00:00.000Z',
    topicArn: options.topic ?? CENTRAL,
    delivery: 'sent',
    verdict: 'violation',
    severity: 'Medium',
    types: ['CREDIT_CARD_NUMBER'],
    publiclyAccessible: false,
    ...(options.lastNotice ?? {}),
  };
  return {
    accountId: options.account ?? ACCOUNT,
    bucket,
    region: 'us-east-1',
    partition: 'aws',
    declaration: { tags, source: 'live', readAt: '2025-05-30T00:00:00.000Z' },
    types: {
      CREDIT_CARD_NUMBER: {
        type: 'CREDIT_CARD_NUMBER',
        category: 'FINANCIAL_INFORMATION',
        custom: false,
        count: 12,
        findings: 3,
        firstSeen: '2025-05-30T09:00:00.000Z',
        lastSeen: '2025-05-31T09:00:00.000Z',
        examples: ['exports/a.csv'],
      },
    },
    publiclyAccessible: false,
    findings: 3,
    findingsSinceNotice: 0,
    openSince: '2025-05-30T09:00:00.000Z',
    ...(options.lastNotice === null ? {} : { lastNotice: notice }),
  };
}

async function put(ledger: MemoryLedger, ...states: BucketState[]): Promise<void> {
  for (const state of states) {
    const stored = await ledger.bucket(state.accountId, state.bucket);
    await ledger.save(state, stored?.version);
  }
}

function waiver(status: WaiverMatch['status'], expiresAt: string): WaiverMatch {
  return {
    status,
    waiver: {
      ticket: 'SEC-42',
      approver: 'ciso@example.com',
      reason: 'tokenisation project',
      expiresAt,
      source: 'waivers.yaml:3',
    },
  };
}

function setup(
  options: {
    waivers?: WaiversOf;
    ledger?: MemoryLedger;
    now?: string;
    topicTags?: Record<string, TopicTags>;
  } = {},
) {
  const publisher = new FakePublisher();
  const topicTags = new FakeTopicTags(options.topicTags);
  const metrics = new FakeMetrics();
  const ledger = options.ledger ?? new MemoryLedger();
  const clock = { now: new Date(options.now ?? NOW) };
  let ids = 0;
  const summary = createLedgerSummary({
    settings: ledgerSettings(),
    policy: loadPolicy(),
    waivers: options.waivers ?? (() => () => undefined),
    ledger,
    publisher,
    topicTags,
    metrics,
    logger: new Logger({ logLevel: 'SILENT' }),
    clock: () => clock.now,
    newId: () => `scheduled-${++ids}`,
    pause: () => Promise.resolve(),
  });
  const later = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  return { summary, publisher, metrics, ledger, later };
}

describe('the daily run of the ledger', () => {
  describe('the job a schedule names', () => {
    it.each([[{}], [{ job: 'report' }], ['digest'], [null]])(
      'refuses the input %j, saying what it expects',
      async (event) => {
        const { summary, publisher, metrics } = setup();

        await expect(summary.run(event)).rejects.toThrow(
          'expected the input {"job": "digest"} or {"job": "metrics"}; got',
        );
        expect(publisher.sent).toEqual([]);
        expect(metrics.calls).toEqual([]);
      },
    );

    it('runs the digest for {"job": "digest"}', async () => {
      const { summary } = setup();

      await expect(summary.run({ job: 'digest' })).resolves.toEqual(
        expect.objectContaining({ job: 'digest' }),
      );
    });

    it('runs the metrics for {"job": "metrics"}', async () => {
      const { summary } = setup();

      await expect(summary.run({ job: 'metrics' })).resolves.toEqual({
        job: 'metrics',
        buckets: 0,
        datapoints: 0,
      });
    });
  });

  describe('digests', () => {
    it("sends each team one digest on its topic, listing the team's open buckets", async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
        bucketState('a-archive', { level: 'Internal', topic: TOPIC_A, team: 'team-a' }),
        bucketState('b-reports', { level: 'Confidential', topic: TOPIC_B, team: 'team-b' }),
      );

      await summary.digest();

      const teams = publisher.digests().filter((d) => d.document.scope === 'team');
      expect(teams.map((d) => [d.document.team, d.topicArn])).toEqual([
        ['team-a', TOPIC_A],
        ['team-b', TOPIC_B],
      ]);
      const teamA = teams[0]?.document;
      expect(teamA?.buckets.map((b) => [b.name, b.verdict, b.severity])).toEqual([
        ['a-archive', 'violation', 'High'],
        ['a-exports', 'violation', 'Medium'],
      ]);
      expect(teamA?.severity).toBe('High');
      expect(teamA?.totals).toEqual(
        expect.objectContaining({ buckets: 2, violation: 2, unclassified: 0 }),
      );
    });

    it('names for each bucket its account, types with counts, open since and last notice', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      const [teamA] = publisher.digests();
      expect(teamA?.document.buckets[0]).toEqual({
        name: 'a-exports',
        accountId: ACCOUNT,
        region: 'us-east-1',
        team: 'team-a',
        verdict: 'violation',
        severity: 'Medium',
        declaredLevel: 'Confidential',
        publiclyAccessible: false,
        types: [
          { type: 'CREDIT_CARD_NUMBER', requiredLevel: 'Restricted', count: 12, findings: 3 },
        ],
        findings: 3,
        openSince: '2025-05-30T09:00:00.000Z',
        lastNotice: { kind: 'violation', at: '2025-05-31T10:00:00.000Z' },
      });
      expect(teamA?.text).toContain('CREDIT_CARD_NUMBER (needs Restricted) 12 in 3 objects');
    });

    it('publishes digests with the message attribute kind=digest and the schema of digests', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      expect(publisher.sent[0]?.message.attributes).toEqual({
        severity: 'Medium',
        team: 'team-a',
        bucket: '-',
        kind: 'digest',
        sample: 'false',
      });
      expect(publisher.digests()[0]?.document.schema).toBe(
        'bucket-classification-validator/digest/v1',
      );
    });

    it('sends one digest per topic when buckets of a team name different topics', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
        bucketState('a-oncall', { level: 'Confidential', topic: TOPIC_A2, team: 'team-a' }),
      );

      await summary.digest();

      expect(
        publisher
          .digests()
          .filter((d) => d.document.scope === 'team')
          .map((d) => [d.topicArn, d.document.buckets.map((b) => b.name)]),
      ).toEqual([
        [TOPIC_A, ['a-exports']],
        [TOPIC_A2, ['a-oncall']],
      ]);
    });

    it('sends buckets that cannot reach a team topic to central security, saying why', async () => {
      const { summary, publisher, ledger } = setup();
      await put(ledger, bucketState('a-untopical', { level: 'Confidential', team: 'team-a' }));

      await summary.digest();

      const [unroutable] = publisher.digests().filter((d) => d.document.scope === 'team');
      expect(unroutable?.topicArn).toBe(CENTRAL);
      expect(unroutable?.document.routing).toEqual(
        expect.objectContaining({ topicArn: CENTRAL, fallbackReason: 'TopicTagMissing' }),
      );
      expect(unroutable?.document.buckets[0]?.unroutable).toEqual({
        reason: 'TopicTagMissing',
        detail: 'the bucket has no SupportSNSTopic tag',
      });
      expect(unroutable?.text).toContain(
        'Not routed to the team: the bucket has no SupportSNSTopic tag',
      );
    });

    it("sends the digest to central security when the team's topic refuses it", async () => {
      const { summary, publisher, ledger } = setup();
      publisher.refusing.set(TOPIC_A, 'NotFoundException');
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      const [teamA] = publisher.digests();
      expect(teamA?.topicArn).toBe(CENTRAL);
      expect(teamA?.document.routing.fallbackReason).toBe('PublishRefused');
    });

    it("sends the digest to central security when the team's topic has not opted in", async () => {
      const { summary, publisher, ledger } = setup({
        topicTags: { [TOPIC_A]: { kind: 'read', tags: { Team: 'team-a' } } },
      });
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      expect(publisher.sent.map((s) => s.topicArn)).not.toContain(TOPIC_A);
      const [teamA] = publisher.digests();
      expect(teamA?.topicArn).toBe(CENTRAL);
      expect(teamA?.document.routing).toEqual({
        topicArn: CENTRAL,
        fallbackReason: 'TopicNotOptedIn',
        detail: `the team topic ${TOPIC_A} has not opted in to alerts (it needs the tag AcceptsClassificationAlerts=true)`,
      });
    });

    it('lists unclassified buckets with the open types', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-untagged', { level: 'Top Secret', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      const [teamA] = publisher.digests();
      expect(teamA?.document.buckets[0]).toEqual(
        expect.objectContaining({
          verdict: 'unclassified',
          severity: 'Critical',
          declaredLevel: null,
        }),
      );
      expect(teamA?.document.totals.unclassified).toBe(1);
    });

    it('sends no team digest to a team whose buckets are all clear', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-vault', {
          level: 'Restricted',
          topic: TOPIC_A,
          team: 'team-a',
          lastNotice: null,
        }),
      );

      await summary.digest();

      expect(publisher.digests().map((d) => d.document.scope)).toEqual(['overall']);
    });

    it('sends central security one overall digest with every team and the totals', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
        bucketState('b-reports', { level: 'Public', topic: TOPIC_B, team: 'team-b' }),
        bucketState('b-untagged', { topic: TOPIC_B, team: 'team-b' }),
      );

      await summary.digest();

      const overall = publisher.digests().filter((d) => d.document.scope === 'overall');
      expect(overall).toHaveLength(1);
      expect(overall[0]?.topicArn).toBe(CENTRAL);
      expect(overall[0]?.document.totals).toEqual({
        buckets: 3,
        violation: 2,
        unclassified: 1,
        bySeverity: { Low: 0, Medium: 1, High: 0, Critical: 2 },
        waiversExpiring: 0,
      });
      expect(overall[0]?.document.teams?.map((t) => [t.team, t.buckets, t.severity])).toEqual([
        ['team-b', 2, 'Critical'],
        ['team-a', 1, 'Medium'],
      ]);
      expect(overall[0]?.text).toContain('team-b: 2 open (1 in violation, 1 unclassified)');
    });

    it('sends central security the overall digest also when nothing is open', async () => {
      const { summary, publisher } = setup();

      await summary.digest();

      const [overall] = publisher.digests();
      expect(overall?.document.summary).toBe('Daily classification digest: nothing is open.');
      expect(publisher.sent[0]?.message.attributes.severity).toBe('Low');
    });

    it('names the waivers that end within 7 days, and not later ones', async () => {
      const waivers: WaiversOf = (_, bucket) => (type) =>
        type !== 'CREDIT_CARD_NUMBER'
          ? undefined
          : bucket === 'a-soon'
            ? waiver('active', '2025-06-05T00:00:00.000Z')
            : waiver('active', '2025-07-01T00:00:00.000Z');
      const { summary, publisher, ledger } = setup({ waivers });
      await put(
        ledger,
        bucketState('a-soon', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
        bucketState('a-later', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      const [teamA] = publisher.digests();
      expect(teamA?.document.waiversExpiring).toEqual([
        {
          bucket: 'a-soon',
          accountId: ACCOUNT,
          type: 'CREDIT_CARD_NUMBER',
          ticket: 'SEC-42',
          approver: 'ciso@example.com',
          expiresAt: '2025-06-05T00:00:00.000Z',
        },
      ]);
      expect(teamA?.text).toContain(
        'a-soon: CREDIT_CARD_NUMBER (SEC-42, approved by ciso@example.com) ends 2025-06-05T00:00:00.000Z',
      );
    });

    it('caps the buckets listed and says how many more there are', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        ...Array.from({ length: 130 }, (_, i) =>
          bucketState(`a-${String(i).padStart(3, '0')}`, {
            level: 'Confidential',
            topic: TOPIC_A,
            team: 'team-a',
          }),
        ),
      );

      await summary.digest();

      const [teamA] = publisher.digests();
      expect(teamA?.document.buckets).toHaveLength(100);
      expect(teamA?.document.bucketsNotListed).toBe(30);
      expect(teamA?.document.totals.buckets).toBe(130);
      expect(teamA?.text).toContain(
        'and 30 more buckets: bucket-classification ledger show --team "team-a" lists them all.',
      );
    });

    it('keeps a digest of many large entries within what SNS takes', async () => {
      const { summary, publisher, ledger } = setup();
      const manyTypes = (state: BucketState): BucketState => ({
        ...state,
        types: Object.fromEntries(
          Array.from({ length: 40 }, (_, i) => {
            const type = `${'X'.repeat(200)}-${i}`;
            return [
              `custom:${type}`,
              {
                type,
                category: 'CUSTOM_IDENTIFIER',
                custom: true,
                count: 1,
                findings: 1,
                firstSeen: '2025-05-30T09:00:00.000Z',
                lastSeen: '2025-05-30T09:00:00.000Z',
                examples: [],
              },
            ];
          }),
        ),
      });
      await put(
        ledger,
        ...Array.from({ length: 100 }, (_, i) =>
          manyTypes(
            bucketState(`a-${i}-${'b'.repeat(50)}`, {
              level: 'Public',
              topic: TOPIC_A,
              team: 'team-a',
            }),
          ),
        ),
      );

      await summary.digest();

      const teamA = publisher.sent.find(
        (s) => s.message.attributes.kind === 'digest' && s.topicArn === TOPIC_A,
      );
      const message = JSON.stringify({
        default: JSON.stringify(teamA?.message.document),
        email: teamA?.message.text,
      });
      expect(Buffer.byteLength(message)).toBeLessThanOrEqual(256 * 1024);
      const document = teamA?.message.document as DigestDocument;
      expect(document.buckets.length).toBeLessThan(100);
      expect(document.buckets.length + document.bucketsNotListed).toBe(100);
    });

    it('treats tag values and bucket names as untrusted text', async () => {
      const { summary, publisher, ledger } = setup();
      await put(
        ledger,
        bucketState('a-exports', {
          level: 'Confidential',
          topic: TOPIC_A,
          team: 'team-a\n\u001b[31mURGENT: wire money',
        }),
      );

      await summary.digest();

      const [teamA] = publisher.digests();
      expect(teamA?.document.team).toBe('team-a??[31mURGENT: wire money');
      expect(teamA?.text).not.toContain('\u001b');
      expect(publisher.sent[0]?.message.subject).not.toMatch(/\n/);
    });
  });

  describe('notices due without a finding', () => {
    const expiresOn = (status: () => WaiverMatch['status']): WaiversOf => {
      return () => (type) =>
        type === 'CREDIT_CARD_NUMBER' ? waiver(status(), '2025-06-01T00:00:00.000Z') : undefined;
    };

    it('notifies the team once when a waiver has expired', async () => {
      const { summary, publisher, ledger } = setup({ waivers: expiresOn(() => 'expired') });
      // The team was last told the bucket was clear: the waiver covered it.
      await put(
        ledger,
        bucketState('a-exports', {
          level: 'Confidential',
          topic: TOPIC_A,
          team: 'team-a',
          lastNotice: null,
        }),
      );

      const outcome = await summary.digest();

      expect(outcome).toEqual(
        expect.objectContaining({
          notices: [
            { accountId: ACCOUNT, bucket: 'a-exports', kind: 'violation', topics: [TOPIC_A] },
          ],
        }),
      );
      const [notice] = publisher.notices();
      expect(notice?.document.kind).toBe('violation');
      expect(notice?.document.waiverExpired).toEqual([
        expect.objectContaining({ type: 'CREDIT_CARD_NUMBER', ticket: 'SEC-42' }),
      ]);
      expect(ledger.state(ACCOUNT, 'a-exports')?.lastNotice).toEqual(
        expect.objectContaining({ kind: 'violation', delivery: 'sent' }),
      );
    });

    it('sends that notice only once when the run runs twice', async () => {
      const { summary, publisher, ledger, later } = setup({
        waivers: expiresOn(() => 'expired'),
      });
      await put(
        ledger,
        bucketState('a-exports', {
          level: 'Confidential',
          topic: TOPIC_A,
          team: 'team-a',
          lastNotice: null,
        }),
      );

      await summary.digest();
      later(3_600_000);
      await summary.digest();

      expect(publisher.notices()).toHaveLength(1);
    });

    it('announces a resolution when a waiver is granted for the open type', async () => {
      const { summary, publisher, ledger } = setup({ waivers: expiresOn(() => 'active') });
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      const [notice] = publisher.notices();
      expect(notice?.document.kind).toBe('resolved');
      expect(notice?.document.changes).toEqual([
        'waived: CREDIT_CARD_NUMBER (SEC-42)',
        'no longer open: CREDIT_CARD_NUMBER',
      ]);
      expect(ledger.state(ACCOUNT, 'a-exports')?.openSince).toBeUndefined();
    });

    it('sends no reminder, however long the bucket has been quiet', async () => {
      const { summary, publisher, ledger } = setup({ now: '2025-07-01T06:00:00.000Z' });
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.digest();

      expect(publisher.notices()).toEqual([]);
      expect(publisher.digests()).toHaveLength(2);
    });

    it('sends a notice a run recorded and then lost, once it is clearly not in flight', async () => {
      const { summary, publisher, ledger, later } = setup();
      await put(
        ledger,
        bucketState('a-exports', {
          level: 'Confidential',
          topic: TOPIC_A,
          team: 'team-a',
          lastNotice: { delivery: 'pending', at: NOW },
        }),
      );

      await summary.digest();
      expect(publisher.notices()).toEqual([]);
      later(3_600_000);
      await summary.digest();
      await summary.digest();

      expect(publisher.notices().map((n) => n.document.kind)).toEqual(['violation']);
      expect(ledger.state(ACCOUNT, 'a-exports')?.lastNotice?.delivery).toBe('sent');
    });

    it('goes on with the other buckets and digests when one notice fails, then fails the run', async () => {
      const { summary, publisher, ledger } = setup({ waivers: expiresOn(() => 'expired') });
      publisher.refusing.set(TOPIC_A, 'NotFoundException');
      publisher.refusing.set(CENTRAL, 'AuthorizationErrorException');
      await put(
        ledger,
        bucketState('a-exports', {
          level: 'Confidential',
          topic: TOPIC_A,
          team: 'team-a',
          lastNotice: null,
        }),
        bucketState('b-reports', {
          level: 'Confidential',
          topic: TOPIC_B,
          team: 'team-b',
          lastNotice: null,
        }),
      );

      await expect(summary.digest()).rejects.toThrow(
        'deliveries of the daily run failed: notice for bucket a-exports',
      );
      expect(publisher.sent.map((s) => [s.topicArn, s.message.attributes.kind])).toEqual([
        [TOPIC_B, 'violation'],
        [TOPIC_B, 'digest'],
      ]);
    });
  });

  describe('bucket metrics', () => {
    it('counts buckets in violation by team and worst severity, and unclassified buckets by team', async () => {
      const { summary, metrics, ledger } = setup();
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
        bucketState('a-more', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
        bucketState('a-untagged', { topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.metrics();

      expect(metrics.calls).toEqual([
        [
          {
            name: 'BucketsInViolation',
            dimensions: { Team: 'team-a', Severity: 'Low' },
            count: 0,
          },
          {
            name: 'BucketsInViolation',
            dimensions: { Team: 'team-a', Severity: 'Medium' },
            count: 2,
          },
          {
            name: 'BucketsInViolation',
            dimensions: { Team: 'team-a', Severity: 'High' },
            count: 0,
          },
          {
            name: 'BucketsInViolation',
            dimensions: { Team: 'team-a', Severity: 'Critical' },
            count: 0,
          },
          { name: 'UnclassifiedBuckets', dimensions: { Team: 'team-a' }, count: 1 },
        ],
      ]);
    });

    it('publishes zeros for a team whose buckets are all clear, so its lines fall to zero', async () => {
      const { summary, metrics, ledger } = setup();
      await put(
        ledger,
        bucketState('b-vault', { level: 'Restricted', topic: TOPIC_B, team: 'team-b' }),
      );

      await summary.metrics();

      expect(metrics.calls[0]?.map((c) => [c.name, c.dimensions.Severity ?? '-', c.count])).toEqual(
        [
          ['BucketsInViolation', 'Low', 0],
          ['BucketsInViolation', 'Medium', 0],
          ['BucketsInViolation', 'High', 0],
          ['BucketsInViolation', 'Critical', 0],
          ['UnclassifiedBuckets', '-', 0],
        ],
      );
    });

    it('hands the sink every datapoint of more than 200 teams (the sink splits them)', async () => {
      const { summary, metrics, ledger } = setup();
      await put(
        ledger,
        ...Array.from({ length: 250 }, (_, i) =>
          bucketState(`bucket-${i}`, { level: 'Confidential', topic: TOPIC_A, team: `team-${i}` }),
        ),
      );

      const outcome = await summary.metrics();

      expect(outcome).toEqual({ job: 'metrics', buckets: 250, datapoints: 1250 });
      expect(metrics.calls.flat()).toHaveLength(1250);
    });

    it('counts a waived bucket as clear', async () => {
      const { summary, metrics, ledger } = setup({
        waivers: () => () => waiver('active', '2025-09-01T00:00:00.000Z'),
      });
      await put(
        ledger,
        bucketState('a-exports', { level: 'Confidential', topic: TOPIC_A, team: 'team-a' }),
      );

      await summary.metrics();

      expect(metrics.calls[0]?.every((c) => c.count === 0)).toBe(true);
    });
  });
});
