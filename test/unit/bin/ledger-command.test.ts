import {
  type LedgerAws,
  type LedgerDeps,
  ledgerResolveOptions,
  ledgerShowOptions,
  runLedgerResolve,
  runLedgerShow,
} from '../../../bin/ledger-command';
import type { BucketState } from '../../../rules/bucket-state';
import type { NoticeDocument } from '../../../rules/notice';
import { parseCsv, runCli } from '../../support/cli';
import { type ClearedEnv, clearEnv } from '../../support/env';
import { FakePublisher, FakeTopicTags } from '../../support/fakes';
import { cardNumbersBucket } from '../../support/ledger-states';
import { MemoryLedger } from '../../support/memory-ledger';

const CENTRAL = 'arn:aws:sns:us-east-1:999988887777:central-security';
const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const TOPIC_A = `arn:aws:sns:us-east-1:${ACCOUNT}:team-a-alerts`;
const NOW = new Date('2025-06-01T06:00:00.000Z');

function bucketState(
  bucket: string,
  level: string,
  options: { account?: string; team?: string; notified?: boolean } = {},
): BucketState {
  return cardNumbersBucket({
    accountId: options.account ?? ACCOUNT,
    bucket,
    level,
    topicArn: TOPIC_A,
    team: options.team ?? 'team-a',
    ...(options.notified === false ? {} : { notifiedSeverity: 'Medium' as const }),
  });
}

async function ledgerWith(...states: BucketState[]): Promise<MemoryLedger> {
  const ledger = new MemoryLedger();
  for (const state of states) await ledger.save(state, undefined);
  return ledger;
}

function fakeAws(ledger: MemoryLedger, failing?: Error) {
  const publisher = new FakePublisher();
  const built: Array<{ table: string; region: string | undefined }> = [];
  const deps: LedgerDeps = {
    clock: () => NOW,
    ledgerAws: (table, region): LedgerAws => {
      built.push({ table, region });
      return {
        ledger: failing
          ? Object.assign(Object.create(ledger), {
              // biome-ignore lint/correctness/useYield: fails before its first page
              async *buckets() {
                throw failing;
              },
            })
          : ledger,
        publisher,
        topicTags: new FakeTopicTags(),
        callerIdentity: async () => 'arn:aws:sts::999988887777:assumed-role/Security/ana',
        close: () => undefined,
      };
    },
  };
  return { deps, publisher, built };
}

function output() {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      stdout: (text: string) => {
        stdout += text;
      },
      stderr: (text: string) => {
        stderr += text;
      },
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

const showFlags = {
  table: 'ledger',
  region: 'us-east-1',
  policy: undefined,
  team: undefined,
  bucket: undefined,
  format: 'table',
};
const resolveFlags = {
  table: 'ledger',
  region: 'us-east-1',
  policy: undefined,
  bucket: 'a-exports',
  account: undefined,
  reason: 'exports deleted, see SEC-77',
  by: undefined,
  notify: true,
};

let env: ClearedEnv;
beforeEach(() => {
  env = clearEnv(['LEDGER_TABLE', 'SECURITY_TOPIC_ARN', 'ALLOWED_TOPIC_ACCOUNTS', 'POLICY_FILE']);
  process.env.SECURITY_TOPIC_ARN = CENTRAL;
});
afterEach(() => env.restore());

describe('bucket-classification ledger show', () => {
  it('prints one row per bucket, the worst first, with totals', async () => {
    const ledger = await ledgerWith(
      bucketState('a-exports', 'Confidential'),
      bucketState('a-archive', 'Internal'),
      bucketState('a-vault', 'Restricted', { notified: false }),
    );
    const { deps, built } = fakeAws(ledger);
    const out = output();

    const code = await runLedgerShow(ledgerShowOptions(showFlags, process.env, out.io), deps);

    expect(code).toBe(0);
    expect(built).toEqual([{ table: 'ledger', region: 'us-east-1' }]);
    const lines = out.stdout().split('\n');
    expect(lines[0]).toMatch(
      /^BUCKET\s+ACCOUNT\s+TEAM\s+VERDICT\s+SEVERITY\s+OPEN TYPES\s+FINDINGS\s+OPEN SINCE\s+LAST NOTICE$/,
    );
    expect(lines[1]).toMatch(
      /^a-archive\s+111122223333\s+team-a\s+violation\s+High\s+CREDIT_CARD_NUMBER:12\s+3\s+2025-05-30T09:00:00.000Z\s+violation 2025-05-31T10:00:00.000Z$/,
    );
    expect(lines[2]).toMatch(/^a-exports\s.*\sMedium\s/);
    expect(lines[3]).toMatch(/^a-vault\s.*\sclear\s+-\s+-\s+3\s+2025-05-30T09:00:00.000Z\s+-$/);
    expect(out.stdout()).toContain('3 buckets: 2 in violation, 0 unclassified, 1 clear.');
  });

  it('filters by team and by bucket', async () => {
    const ledger = await ledgerWith(
      bucketState('a-exports', 'Confidential'),
      bucketState('b-reports', 'Confidential', { team: 'team-b' }),
    );
    const { deps } = fakeAws(ledger);
    const byTeam = output();
    const byBucket = output();

    await runLedgerShow(
      ledgerShowOptions({ ...showFlags, team: 'team-b', format: 'json' }, process.env, byTeam.io),
      deps,
    );
    await runLedgerShow(
      ledgerShowOptions(
        { ...showFlags, bucket: 'a-exports', format: 'json' },
        process.env,
        byBucket.io,
      ),
      deps,
    );

    expect(JSON.parse(byTeam.stdout()).buckets.map((b: { bucket: string }) => b.bucket)).toEqual([
      'b-reports',
    ]);
    expect(JSON.parse(byBucket.stdout()).buckets.map((b: { bucket: string }) => b.bucket)).toEqual([
      'a-exports',
    ]);
  });

  it('writes JSON with every field of a row and a summary', async () => {
    const { deps } = fakeAws(await ledgerWith(bucketState('a-exports', 'Confidential')));
    const out = output();

    await runLedgerShow(
      ledgerShowOptions({ ...showFlags, format: 'json' }, process.env, out.io),
      deps,
    );

    expect(JSON.parse(out.stdout())).toEqual({
      buckets: [
        {
          bucket: 'a-exports',
          accountId: ACCOUNT,
          team: 'team-a',
          verdict: 'violation',
          severity: 'Medium',
          openTypes: [{ type: 'CREDIT_CARD_NUMBER', count: 12 }],
          findings: 3,
          openSince: '2025-05-30T09:00:00.000Z',
          lastNotice: { kind: 'violation', at: '2025-05-31T10:00:00.000Z', delivery: 'sent' },
        },
      ],
      summary: { buckets: 1, violation: 1, unclassified: 0, clear: 0 },
    });
  });

  it('writes CSV with formula-like cells defused', async () => {
    const { deps } = fakeAws(
      await ledgerWith(bucketState('a-exports', 'Confidential', { team: '=HYPERLINK("x")' })),
    );
    const out = output();

    await runLedgerShow(
      ledgerShowOptions({ ...showFlags, format: 'csv' }, process.env, out.io),
      deps,
    );

    const rows = parseCsv(out.stdout());
    expect(rows[0]).toEqual([
      'bucket',
      'account',
      'team',
      'verdict',
      'severity',
      'open_types',
      'findings',
      'open_since',
      'last_notice',
    ]);
    expect(rows[1]?.[2]).toBe('\'=HYPERLINK("x")');
  });

  it('exits 2 naming the table when it cannot be read', async () => {
    const notFound = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
    });
    const { deps } = fakeAws(new MemoryLedger(), notFound);
    const out = output();

    const code = await runLedgerShow(ledgerShowOptions(showFlags, process.env, out.io), deps);

    expect(code).toBe(2);
    expect(out.stderr()).toBe(
      'bucket-classification: could not read the ledger table ledger: ResourceNotFoundException: Requested resource not found\n',
    );
  });

  it('takes the table from LEDGER_TABLE when --table is not given', () => {
    process.env.LEDGER_TABLE = 'bucket-classification-prod-ledger';

    const options = ledgerShowOptions({ ...showFlags, table: undefined }, process.env, output().io);

    expect(options.table).toBe('bucket-classification-prod-ledger');
  });

  it('is a usage error naming --table and LEDGER_TABLE when neither is set', async () => {
    const run = await runCli('ledger', 'show');

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "ledger show needs --table NAME or LEDGER_TABLE (the ledger's table)",
    );
  });
});

describe('bucket-classification ledger resolve', () => {
  it('records who resolved it and why, and removes the open types', async () => {
    const ledger = await ledgerWith(bucketState('a-exports', 'Confidential'));
    const { deps } = fakeAws(ledger);
    const out = output();

    const code = await runLedgerResolve(
      ledgerResolveOptions(resolveFlags, process.env, out.io),
      deps,
    );

    expect(code).toBe(0);
    const state = ledger.state(ACCOUNT, 'a-exports');
    expect(state?.resolution).toEqual({
      at: NOW.toISOString(),
      by: 'arn:aws:sts::999988887777:assumed-role/Security/ana',
      reason: 'exports deleted, see SEC-77',
      types: ['CREDIT_CARD_NUMBER'],
    });
    expect(state?.types).toEqual({});
    expect(out.stdout()).toContain(
      'Resolved bucket a-exports (account 111122223333): CREDIT_CARD_NUMBER no longer open, by arn:aws:sts::999988887777:assumed-role/Security/ana: exports deleted, see SEC-77',
    );
  });

  it("sends one resolved notice to the bucket's topic, naming who and why", async () => {
    const ledger = await ledgerWith(bucketState('a-exports', 'Confidential'));
    const { deps, publisher } = fakeAws(ledger);

    await runLedgerResolve(
      ledgerResolveOptions({ ...resolveFlags, by: 'ana' }, process.env, output().io),
      deps,
    );

    expect(publisher.sent.map((s) => s.topicArn)).toEqual([TOPIC_A]);
    const notice = publisher.sent[0]?.message.document as NoticeDocument;
    expect(notice.kind).toBe('resolved');
    expect(notice.resolution).toEqual({
      by: 'ana',
      reason: 'exports deleted, see SEC-77',
      at: NOW.toISOString(),
    });
    expect(ledger.state(ACCOUNT, 'a-exports')?.lastNotice).toEqual(
      expect.objectContaining({ kind: 'resolved', delivery: 'sent' }),
    );
  });

  it('sends nothing with --no-notify, and records the notice as withheld', async () => {
    const ledger = await ledgerWith(bucketState('a-exports', 'Confidential'));
    const { deps, publisher } = fakeAws(ledger);
    const out = output();

    await runLedgerResolve(
      ledgerResolveOptions({ ...resolveFlags, notify: false }, process.env, out.io),
      deps,
    );

    expect(publisher.sent).toEqual([]);
    expect(ledger.state(ACCOUNT, 'a-exports')?.lastNotice).toEqual(
      expect.objectContaining({ kind: 'resolved', delivery: 'withheld' }),
    );
    expect(out.stdout()).toContain('No notice was sent (--no-notify)');
  });

  it('exits 2 when the bucket is not in the ledger', async () => {
    const { deps } = fakeAws(await ledgerWith());
    const out = output();

    const code = await runLedgerResolve(
      ledgerResolveOptions(resolveFlags, process.env, out.io),
      deps,
    );

    expect(code).toBe(2);
    expect(out.stderr()).toBe('bucket-classification: bucket a-exports is not in the ledger\n');
  });

  it('exits 2 when the bucket is in the ledger for two accounts and no --account is given', async () => {
    const ledger = await ledgerWith(
      bucketState('a-exports', 'Confidential'),
      bucketState('a-exports', 'Confidential', { account: OTHER_ACCOUNT }),
    );
    const { deps, publisher } = fakeAws(ledger);
    const out = output();

    const code = await runLedgerResolve(
      ledgerResolveOptions(resolveFlags, process.env, out.io),
      deps,
    );

    expect(code).toBe(2);
    expect(out.stderr()).toContain(
      'bucket a-exports is in the ledger for accounts 111122223333, 444455556666: name one with --account',
    );
    expect(publisher.sent).toEqual([]);
  });

  it('resolves the bucket of the account named with --account', async () => {
    const ledger = await ledgerWith(
      bucketState('a-exports', 'Confidential'),
      bucketState('a-exports', 'Confidential', { account: OTHER_ACCOUNT }),
    );
    const { deps } = fakeAws(ledger);

    const code = await runLedgerResolve(
      ledgerResolveOptions({ ...resolveFlags, account: OTHER_ACCOUNT }, process.env, output().io),
      deps,
    );

    expect(code).toBe(0);
    expect(ledger.state(OTHER_ACCOUNT, 'a-exports')?.resolution).toBeDefined();
    expect(ledger.state(ACCOUNT, 'a-exports')?.resolution).toBeUndefined();
  });

  it('changes nothing for a bucket with no open violations', async () => {
    const ledger = await ledgerWith(bucketState('a-vault', 'Restricted'));
    const { deps, publisher } = fakeAws(ledger);
    const out = output();

    const code = await runLedgerResolve(
      ledgerResolveOptions({ ...resolveFlags, bucket: 'a-vault' }, process.env, out.io),
      deps,
    );

    expect(code).toBe(0);
    expect(out.stdout()).toContain('Nothing to resolve: bucket a-vault');
    expect(ledger.state(ACCOUNT, 'a-vault')?.resolution).toBeUndefined();
    expect(publisher.sent).toEqual([]);
  });

  it.each([
    [['ledger', 'resolve', 'a-exports', '--table', 'ledger'], 'needs --reason TEXT'],
    [['ledger', 'resolve', '--reason', 'x', '--table', 'ledger'], 'needs a bucket name'],
    [
      ['ledger', 'resolve', 'a-exports', '--reason', 'x', '--table', 'ledger', '--account', '12'],
      '--account must be a 12-digit account ID',
    ],
    [
      [
        'ledger',
        'resolve',
        'a-exports',
        '--reason',
        'x',
        '--table',
        'ledger',
        '--account',
        '1111222233334',
      ],
      '--account must be a 12-digit account ID; got "1111222233334"',
    ],
    [
      [
        'ledger',
        'resolve',
        'a-exports',
        '--reason',
        'x',
        '--table',
        'ledger',
        '--account',
        '11112222333',
      ],
      '--account must be a 12-digit account ID; got "11112222333"',
    ],
    [
      [
        'ledger',
        'resolve',
        'a-exports',
        '--reason',
        'x',
        '--notify',
        '--no-notify',
        '--table',
        'l1',
      ],
      'not both',
    ],
    [['ledger', 'purge'], 'unknown ledger subcommand "purge"'],
  ])('is a usage error: %j', async (argv, message) => {
    const run = await runCli(...argv);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('needs SECURITY_TOPIC_ARN to send the notice, and says so', async () => {
    delete process.env.SECURITY_TOPIC_ARN;

    const run = await runCli(
      'ledger',
      'resolve',
      'a-exports',
      '--reason',
      'x',
      '--table',
      'ledger',
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('needs SECURITY_TOPIC_ARN');
  });
});
