/**
 * In-memory stand-ins for the ports the flows talk to (SNS, CloudWatch, S3 tags,
 * Config history), recording what they were asked, for unit tests of the flows.
 */
import type { MetricCount, MetricsSink } from '../../lib/cloudwatch-metrics';
import type { ConfigItemSource } from '../../lib/config-history';
import type { BucketItem } from '../../lib/config-rule-event';
import type { TagSource } from '../../lib/s3-tag-source';
import type { FindingHandlerSettings, TagRuleSettings } from '../../lib/settings';
import type { AlertMessage, AlertPublisher, PublishResult } from '../../lib/sns-alert-publisher';
import type { TopicTagReader, TopicTags } from '../../lib/sns-topic-directory';
import type { NoticeDocument } from '../../rules/notice';

/** The central security topic of {@link ledgerSettings}. */
export const CENTRAL_TOPIC = 'arn:aws:sns:us-east-1:999988887777:central-security';

/** The tag rule's settings as its tests run it: defaults, one account; `changes` on top. */
export function tagRuleTestSettings(changes: Partial<TagRuleSettings> = {}): TagRuleSettings {
  return {
    tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
    allowedTopicAccounts: [],
    policyFile: undefined,
    region: 'us-east-1',
    tagReadConcurrency: 4,
    functionName: 'check-bucket-tags',
    sweepSafetyMarginMs: 60_000,
    topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
    organization: undefined,
    ...changes,
  };
}

/** The settings of the ledger's functions as the flows' tests run them: defaults, a day's reminders. */
export function ledgerSettings(): FindingHandlerSettings {
  return {
    securityTopicArn: CENTRAL_TOPIC,
    metricsNamespace: 'DataClassification',
    tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
    allowedTopicAccounts: [],
    policyFile: undefined,
    waiversFile: undefined,
    ledgerTable: 'ledger',
    reminderAfterMs: 24 * 3_600_000,
    topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
    // The account the functions run in: the one the flows' tests put their buckets in.
    centralAccountId: '111122223333',
    organization: undefined,
  };
}

/**
 * Topics' tags: every topic has opted in (`AcceptsClassificationAlerts=true`)
 * unless `byTopic` says what reading its tags finds. Records the topics asked.
 */
export class FakeTopicTags implements TopicTagReader {
  readonly asked: string[] = [];

  constructor(readonly byTopic: Record<string, TopicTags> = {}) {}

  async tagsOf(topicArn: string): Promise<TopicTags> {
    this.asked.push(topicArn);
    return (
      this.byTopic[topicArn] ?? { kind: 'read', tags: { AcceptsClassificationAlerts: 'true' } }
    );
  }
}

/** Publishes into a list; a topic can be set to refuse, or every publish to throw. */
export class FakePublisher implements AlertPublisher {
  readonly sent: Array<{ topicArn: string; message: AlertMessage }> = [];
  readonly refusing = new Map<string, string>();
  failing: Error | undefined;

  async publish(topicArn: string, message: AlertMessage): Promise<PublishResult> {
    if (this.failing) throw this.failing;
    const refusal = this.refusing.get(topicArn);
    if (refusal) return { kind: 'refused', errorName: refusal };
    this.sent.push({ topicArn, message });
    return { kind: 'published', messageId: `m-${this.sent.length}` };
  }

  notices(): NoticeDocument[] {
    return this.sent.map(({ message }) => message.document as NoticeDocument);
  }

  kinds(): string[] {
    return this.sent.map(({ message }) => message.attributes.kind ?? '');
  }

  topics(): string[] {
    return this.sent.map(({ topicArn }) => topicArn);
  }
}

/** Records each call's counts; throws `failing` when set. */
export class FakeMetrics implements MetricsSink {
  readonly calls: MetricCount[][] = [];
  failing: Error | undefined;

  async record(counts: readonly MetricCount[]): Promise<void> {
    if (this.failing) throw this.failing;
    this.calls.push([...counts]);
  }

  total(name: string): number {
    return this.calls
      .flat()
      .filter((c) => c.name === name)
      .reduce((sum, c) => sum + c.count, 0);
  }
}

/** Each bucket's tags, or the error reading them throws; a bucket not named has none. */
export class FakeTags implements TagSource {
  readonly asked: string[] = [];
  /** The owner each read named (`ExpectedBucketOwner`), in order. */
  readonly expectedOwners: Array<string | undefined> = [];

  constructor(private readonly byBucket: Record<string, Record<string, string> | Error> = {}) {}

  async tagsOf(bucket: string, expectedOwner?: string): Promise<Record<string, string>> {
    this.asked.push(bucket);
    this.expectedOwners.push(expectedOwner);
    const tags = this.byBucket[bucket];
    if (tags instanceof Error) throw tags;
    return tags ?? {};
  }
}

/** GetResourceConfigHistory answering with one item (or none), whatever is asked. */
export class FakeHistory implements ConfigItemSource {
  readonly asked: Array<[string, string, Date]> = [];

  constructor(private readonly item: BucketItem | undefined = undefined) {}

  async itemAt(type: string, id: string, at: Date): Promise<BucketItem | undefined> {
    this.asked.push([type, id, at]);
    return this.item;
  }
}
