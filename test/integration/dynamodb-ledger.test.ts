/**
 * The violation ledger's DynamoDB adapter against DynamoDB in moto: versioned conditional
 * writes, the per-finding marker written in the same transaction, delivery marks, pending
 * metrics and the paged scan of every bucket.
 *
 * The client is built with no options, as production code builds it (the environment
 * points it at moto). Every test file shares one moto server, so the table name is unique
 * per run and every test works on buckets and findings of its own.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { MetricCount } from '../../lib/cloudwatch-metrics';
import {
  bucketKey,
  DynamoDbLedger,
  FINDING_MARKER_TTL_DAYS,
  type SaveResult,
  type StoredBucket,
} from '../../lib/dynamodb-ledger';
import { type BucketState, emptyState } from '../../rules/bucket-state';

const TIMEOUT_MS = 60_000;
const runId = randomUUID().slice(0, 8);
const tableName = `ledger-${runId}`;
const accountId = '123456789012';
/** The adapter's clock: markers written by `ledger` carry this time. */
const now = new Date('2026-11-30T09:15:42.123Z');

const client = new DynamoDBClient({});
const ledger = new DynamoDbLedger<BucketState>(tableName, client, () => now);

beforeAll(async () => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
}, TIMEOUT_MS);

afterAll(async () => {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } finally {
    client.destroy();
  }
}, TIMEOUT_MS);

/** A bucket's state with a name unique to this run; `changes` are laid over an empty state. */
function bucketState(name: string, changes: Partial<BucketState> = {}): BucketState {
  return {
    ...emptyState({ accountId, bucket: `${name}-${runId}`, region: 'eu-west-1', partition: 'aws' }),
    ...changes,
  };
}

/** A finding id unique to this run. */
function findingId(name: string): string {
  return `${name}-${runId}`;
}

/** A state with every kind of value the ledger keeps: nested maps, lists, numbers, strings. */
function violatingState(name: string): BucketState {
  return bucketState(name, {
    declaration: {
      tags: { 'data-classification': 'internal', 'owner-team': 'payments' },
      source: 'finding',
      readAt: '2026-11-28T08:00:00.000Z',
    },
    types: {
      CREDIT_CARD_NUMBER: {
        type: 'CREDIT_CARD_NUMBER',
        category: 'FINANCIAL_INFORMATION',
        custom: false,
        count: 1_234_567_890_123,
        findings: 3,
        firstSeen: '2026-11-28T08:00:00.000Z',
        lastSeen: '2026-11-29T17:30:00.000Z',
        examples: ['exports/2026/cards.csv', 'exports/2026/cards (copy).csv'],
      },
      'custom:EMPLOYEE_ID': {
        type: 'EMPLOYEE_ID',
        category: 'CUSTOM_IDENTIFIER',
        custom: true,
        count: 1,
        findings: 1,
        firstSeen: '2026-11-29T17:30:00.000Z',
        lastSeen: '2026-11-29T17:30:00.000Z',
        examples: [],
      },
    },
    publiclyAccessible: true,
    findings: 4,
    findingsSinceNotice: 0,
    lastFindingAt: '2026-11-29T17:30:00.000Z',
    openSince: '2026-11-28T08:00:00.000Z',
    lastNotice: pendingNotice(`notice-${name}`),
    tagCompliance: { compliance: 'COMPLIANT', annotation: '', at: '2026-11-27T00:00:00.000Z' },
  });
}

function pendingNotice(id: string): NonNullable<BucketState['lastNotice']> {
  return {
    id,
    kind: 'violation',
    at: '2026-11-29T17:30:01.000Z',
    topicArn: `arn:aws:sns:eu-west-1:${accountId}:payments-alerts`,
    delivery: 'pending',
    findingId: 'finding-1',
    changes: ['CREDIT_CARD_NUMBER found', 'the bucket became public'],
    verdict: 'violation',
    severity: 'High',
    types: ['CREDIT_CARD_NUMBER', 'EMPLOYEE_ID'],
    publiclyAccessible: true,
  };
}

async function stored(state: BucketState): Promise<StoredBucket<BucketState> | undefined> {
  return ledger.bucket(state.accountId, state.bucket);
}

async function rawItem(pk: string) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return Item;
}

describe('DynamoDbLedger.save and bucket', () => {
  it(
    'a new bucket reads back exactly as saved, at version 1',
    async () => {
      const state = violatingState('round-trip');

      const result = await ledger.save(state, undefined);

      expect(result).toBe('committed');
      expect(await stored(state)).toStrictEqual({ state, version: 1 });
    },
    TIMEOUT_MS,
  );

  it(
    'empty maps and lists survive the round trip',
    async () => {
      const state = bucketState('empty-containers', {
        declaration: { tags: {}, source: 'live', readAt: '2026-11-29T00:00:00.000Z' },
        lastNotice: { ...pendingNotice('notice-empty'), changes: [], types: [] },
      });

      await ledger.save(state, undefined);

      const read = await stored(state);
      expect(read?.state).toStrictEqual(state);
      expect(read?.state.types).toStrictEqual({});
    },
    TIMEOUT_MS,
  );

  it(
    'undefined fields are dropped, not stored',
    async () => {
      const notice = { ...pendingNotice('notice-undefined'), messageId: undefined };
      const state = {
        ...bucketState('undefined-fields'),
        resolution: undefined,
        lastNotice: notice,
      };

      await ledger.save(state, undefined);

      const read = await stored(state);
      const { resolution: _, ...withoutResolution } = state;
      const { messageId: __, ...noticeWithoutMessageId } = notice;
      expect(read?.state).toStrictEqual({
        ...withoutResolution,
        lastNotice: noticeWithoutMessageId,
      });
      const raw = await rawItem(bucketKey(state.accountId, state.bucket));
      expect(raw?.state?.M).not.toHaveProperty('resolution');
      expect(raw?.state?.M?.lastNotice?.M).not.toHaveProperty('messageId');
    },
    TIMEOUT_MS,
  );

  it(
    'a bucket never saved reads as undefined',
    async () => {
      const state = bucketState('never-saved');

      const read = await stored(state);

      expect(read).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  it(
    'a save at the stored version commits and bumps the version',
    async () => {
      const first = bucketState('right-version');
      await ledger.save(first, undefined);
      const second = { ...first, findings: 1, findingsSinceNotice: 1 };

      const result = await ledger.save(second, 1);

      expect(result).toBe('committed');
      expect(await stored(first)).toStrictEqual({ state: second, version: 2 });
    },
    TIMEOUT_MS,
  );

  it(
    'a save at a stale version is a conflict and leaves the stored state untouched',
    async () => {
      const first = bucketState('stale-version');
      await ledger.save(first, undefined);
      const second = { ...first, findings: 1 };
      await ledger.save(second, 1);
      const late = { ...first, findings: 99 };

      const result = await ledger.save(late, 1);

      expect(result).toBe('conflict');
      expect(await stored(first)).toStrictEqual({ state: second, version: 2 });
    },
    TIMEOUT_MS,
  );

  it(
    'a first save of a bucket someone else already saved is a conflict',
    async () => {
      const theirs = bucketState('saved-by-another', { findings: 1 });
      await ledger.save(theirs, undefined);
      const ours = { ...theirs, findings: 2 };

      const result = await ledger.save(ours, undefined);

      expect(result).toBe('conflict');
      expect(await stored(theirs)).toStrictEqual({ state: theirs, version: 1 });
    },
    TIMEOUT_MS,
  );

  it(
    'the bucket item carries kind "bucket", its version and who it is at the top level',
    async () => {
      const state = bucketState('raw-bucket-item');

      await ledger.save(state, undefined);

      const raw = await rawItem(bucketKey(state.accountId, state.bucket));
      expect(raw).toMatchObject({
        kind: { S: 'bucket' },
        version: { N: '1' },
        accountId: { S: state.accountId },
        bucket: { S: state.bucket },
        updatedAt: { S: now.toISOString() },
      });
    },
    TIMEOUT_MS,
  );
});

describe('DynamoDbLedger finding markers', () => {
  it(
    'a save with a finding writes its marker, with the notice it decided to send',
    async () => {
      const state = bucketState('marker-written');
      const id = findingId('marker-written');

      const result = await ledger.save(state, undefined, { id, noticeId: 'notice-42' });

      expect(result).toBe('committed');
      expect(await ledger.finding(id)).toStrictEqual({
        findingId: id,
        accountId: state.accountId,
        bucket: state.bucket,
        at: now.toISOString(),
        noticeId: 'notice-42',
      });
    },
    TIMEOUT_MS,
  );

  it(
    'a marker for a finding that decided no notice has no noticeId',
    async () => {
      const state = bucketState('marker-without-notice');
      const id = findingId('marker-without-notice');

      await ledger.save(state, undefined, { id });

      expect(await ledger.finding(id)).toStrictEqual({
        findingId: id,
        accountId: state.accountId,
        bucket: state.bucket,
        at: now.toISOString(),
      });
    },
    TIMEOUT_MS,
  );

  it(
    'a finding never recorded has no marker',
    async () => {
      const id = findingId('never-recorded');

      const marker = await ledger.finding(id);

      expect(marker).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  it(
    'a second save with the same finding is a duplicate and writes nothing, even at the current version',
    async () => {
      const first = bucketState('duplicate-current');
      const id = findingId('duplicate-current');
      await ledger.save(first, undefined, { id, noticeId: 'notice-first' });
      const again = { ...first, findings: 1 };

      const result = await ledger.save(again, 1, { id, noticeId: 'notice-again' });

      expect(result).toBe('duplicate');
      expect(await stored(first)).toStrictEqual({ state: first, version: 1 });
      expect((await ledger.finding(id))?.noticeId).toBe('notice-first');
    },
    TIMEOUT_MS,
  );

  it(
    'a save whose finding is recorded and whose version is stale is a duplicate, not a conflict',
    async () => {
      const first = bucketState('duplicate-stale');
      const id = findingId('duplicate-stale');
      await ledger.save(first, undefined, { id });
      const second = { ...first, findings: 1 };
      await ledger.save(second, 1);

      const result = await ledger.save({ ...first, findings: 99 }, 1, { id });

      expect(result).toBe('duplicate');
      expect(await stored(first)).toStrictEqual({ state: second, version: 2 });
    },
    TIMEOUT_MS,
  );

  it(
    'a save with a new finding at a stale version is a conflict and leaves no marker',
    async () => {
      const first = bucketState('conflict-no-marker');
      await ledger.save(first, undefined);
      await ledger.save({ ...first, findings: 1 }, 1);
      const id = findingId('conflict-no-marker');

      const result = await ledger.save({ ...first, findings: 99 }, 1, { id });

      expect(result).toBe('conflict');
      expect(await ledger.finding(id)).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  it(
    'the marker expires FINDING_MARKER_TTL_DAYS days after it was written, in epoch seconds',
    async () => {
      const state = bucketState('marker-ttl');
      const id = findingId('marker-ttl');

      await ledger.save(state, undefined, { id });

      const raw = await rawItem(`FINDING#${id}`);
      const written = Math.floor(now.getTime() / 1000);
      expect(raw?.kind).toEqual({ S: 'finding' });
      expect(raw?.expiresAt).toEqual({ N: String(written + FINDING_MARKER_TTL_DAYS * 86_400) });
    },
    TIMEOUT_MS,
  );
});

describe('DynamoDbLedger under concurrent writers', () => {
  it(
    'of two saves from the same read for different findings, one commits and the other conflicts',
    async () => {
      const base = bucketState('race');
      await ledger.save(base, undefined);
      const read = await stored(base);
      if (!read) throw new Error('the bucket was not stored');
      const a = { id: findingId('race-a'), state: { ...read.state, findings: 1 } };
      const b = { id: findingId('race-b'), state: { ...read.state, findings: 2 } };

      const results = await Promise.all(
        [a, b].map((save) => ledger.save(save.state, read.version, { id: save.id })),
      );

      expect([...results].sort()).toEqual(['committed', 'conflict']);
      const winner = results[0] === 'committed' ? a : b;
      const loser = winner === a ? b : a;
      expect(await stored(base)).toStrictEqual({ state: winner.state, version: 2 });
      expect(await ledger.finding(winner.id)).toBeDefined();
      expect(await ledger.finding(loser.id)).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  it.each([
    ['with a finding marker each (a transaction)', true],
    ['without finding markers (a conditional put)', false],
  ])(
    'eight read-modify-write loops adding 1 to a counter, %s, lose no update',
    async (_, withMarker) => {
      const name = withMarker ? 'counter-marked' : 'counter-plain';
      const base = bucketState(name);
      await ledger.save(base, undefined);

      const increment = async (writer: number): Promise<number> => {
        for (let attempt = 1; attempt <= 100; attempt++) {
          const read = await stored(base);
          if (!read) throw new Error('the bucket was not stored');
          const next = { ...read.state, findings: read.state.findings + 1 };
          const finding = withMarker ? { id: findingId(`${name}-${writer}`) } : undefined;
          const result: SaveResult = await ledger.save(next, read.version, finding);
          if (result === 'committed') return attempt;
          if (result === 'duplicate') throw new Error(`writer ${writer}: unexpected duplicate`);
        }
        throw new Error(`writer ${writer} kept conflicting`);
      };
      const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) => increment(i)));

      const final = await stored(base);
      expect(final?.state.findings).toBe(8);
      expect(final?.version).toBe(9);
      // Guards the test itself: it proves nothing if the writers never overlapped.
      expect(attempts.some((n) => n > 1)).toBe(true);
    },
    TIMEOUT_MS,
  );
});

describe('DynamoDbLedger.noticeDelivered', () => {
  const delivery = {
    topicArn: `arn:aws:sns:eu-west-1:${accountId}:payments-alerts`,
    messageId: 'b7c1e8a2-0000-4000-8000-000000000001',
  };

  it(
    "marks the bucket's last notice sent when the notice id matches",
    async () => {
      const state = violatingState('delivered');
      await ledger.save(state, undefined);

      const marked = await ledger.noticeDelivered(
        state.accountId,
        state.bucket,
        'notice-delivered',
        delivery,
      );

      expect(marked).toBe(true);
      expect(await stored(state)).toStrictEqual({
        state: { ...state, lastNotice: { ...state.lastNotice, delivery: 'sent', ...delivery } },
        version: 2,
      });
    },
    TIMEOUT_MS,
  );

  it(
    'returns false and changes nothing when the notice is no longer the last',
    async () => {
      const state = violatingState('superseded');
      await ledger.save(state, undefined);

      const marked = await ledger.noticeDelivered(
        state.accountId,
        state.bucket,
        'an-earlier-notice',
        delivery,
      );

      expect(marked).toBe(false);
      expect(await stored(state)).toStrictEqual({ state, version: 1 });
    },
    TIMEOUT_MS,
  );

  it(
    'returns false for a bucket without a notice',
    async () => {
      const state = bucketState('no-notice');
      await ledger.save(state, undefined);

      const marked = await ledger.noticeDelivered(state.accountId, state.bucket, 'any', delivery);

      expect(marked).toBe(false);
      expect(await stored(state)).toStrictEqual({ state, version: 1 });
    },
    TIMEOUT_MS,
  );

  it(
    'returns false for a bucket not in the ledger, and does not create it',
    async () => {
      const state = bucketState('not-in-ledger');

      const marked = await ledger.noticeDelivered(state.accountId, state.bucket, 'any', delivery);

      expect(marked).toBe(false);
      expect(await rawItem(bucketKey(state.accountId, state.bucket))).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  it(
    'a save from a read taken before the delivery mark is a conflict, so the mark is not lost',
    async () => {
      const state = violatingState('mark-then-stale-save');
      await ledger.save(state, undefined);
      const read = await stored(state);
      if (!read) throw new Error('the bucket was not stored');
      await ledger.noticeDelivered(
        state.accountId,
        state.bucket,
        'notice-mark-then-stale-save',
        delivery,
      );

      const result = await ledger.save({ ...read.state, findings: 5 }, read.version);

      expect(result).toBe('conflict');
      expect((await stored(state))?.state.lastNotice).toStrictEqual({
        ...state.lastNotice,
        delivery: 'sent',
        ...delivery,
      });
    },
    TIMEOUT_MS,
  );
});

describe('DynamoDbLedger.setPendingMetrics', () => {
  const counts: MetricCount[] = [
    { name: 'Violations', dimensions: { Team: 'payments', Severity: 'High' }, count: 1 },
    { name: 'UnroutableNotices', dimensions: { Reason: 'NoTeamTopic' }, count: 2 },
  ];

  it(
    'keeps the counts owed to CloudWatch on the finding marker',
    async () => {
      const id = findingId('metrics-owed');
      await ledger.save(bucketState('metrics-owed'), undefined, { id });

      await ledger.setPendingMetrics(id, counts);

      expect((await ledger.finding(id))?.pendingMetrics).toStrictEqual(counts);
    },
    TIMEOUT_MS,
  );

  it(
    'an empty list clears them',
    async () => {
      const state = bucketState('metrics-cleared');
      const id = findingId('metrics-cleared');
      await ledger.save(state, undefined, { id, noticeId: 'notice-metrics' });
      await ledger.setPendingMetrics(id, counts);

      await ledger.setPendingMetrics(id, []);

      expect(await ledger.finding(id)).toStrictEqual({
        findingId: id,
        accountId: state.accountId,
        bucket: state.bucket,
        at: now.toISOString(),
        noticeId: 'notice-metrics',
      });
    },
    TIMEOUT_MS,
  );

  it(
    'fails for a finding without a marker, and creates none',
    async () => {
      const id = findingId('metrics-no-marker');

      await expect(ledger.setPendingMetrics(id, counts)).rejects.toMatchObject({
        name: 'ConditionalCheckFailedException',
      });
      expect(await rawItem(`FINDING#${id}`)).toBeUndefined();
    },
    TIMEOUT_MS,
  );
});

describe('DynamoDbLedger.buckets', () => {
  it(
    'yields every bucket and no finding marker, across more than one scan page',
    async () => {
      // A scan page holds at most 1 MB: eight states of ~200 KB need at least two.
      const scanAccount = `scan-${runId}`;
      const names = Array.from({ length: 8 }, (_, i) => `scanned-${i}-${runId}`);
      const bulky = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(2_000, 'x'));
      for (const [i, bucket] of names.entries()) {
        const state: BucketState = {
          ...emptyState({ accountId: scanAccount, bucket, region: 'eu-west-1', partition: 'aws' }),
          resolution: { at: now.toISOString(), by: 'someone', reason: 'bulk', types: bulky },
        };
        await ledger.save(state, undefined, { id: findingId(`scanned-${i}`) });
      }
      let scans = 0;
      const counting = new DynamoDBClient({});
      counting.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'ScanCommand') scans++;
          return next(args);
        },
        { step: 'initialize' },
      );
      const scanning = new DynamoDbLedger<BucketState>(tableName, counting);

      const yielded: StoredBucket<BucketState>[] = [];
      try {
        for await (const entry of scanning.buckets()) yielded.push(entry);
      } finally {
        counting.destroy();
      }

      expect(scans).toBeGreaterThan(1);
      for (const entry of yielded) {
        expect(entry).toEqual({
          state: expect.objectContaining({ accountId: expect.any(String) }),
          version: expect.any(Number),
        });
      }
      const ours = yielded.filter((entry) => entry.state.accountId === scanAccount);
      expect(ours.map((entry) => entry.state.bucket).sort()).toEqual(names);
      expect(ours.every((entry) => entry.version === 1)).toBe(true);
    },
    TIMEOUT_MS,
  );
});

describe('DynamoDbLedger on a table that does not exist', () => {
  const missing = new DynamoDbLedger<BucketState>(`ledger-missing-${runId}`, client);
  const state = bucketState('missing-table');

  it.each<[string, () => Promise<unknown>]>([
    ['save', () => missing.save(state, undefined)],
    ['save with a finding', () => missing.save(state, 1, { id: findingId('missing-table') })],
    ['bucket', () => missing.bucket(state.accountId, state.bucket)],
    [
      'noticeDelivered',
      () =>
        missing.noticeDelivered(state.accountId, state.bucket, 'n', {
          topicArn: 't',
          messageId: 'm',
        }),
    ],
  ])(
    '%s fails with ResourceNotFoundException instead of reporting a conflict',
    async (_, operation) => {
      await expect(operation()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    },
    TIMEOUT_MS,
  );
});
