import {
  runWaiversList,
  runWaiversValidate,
  type WaiverRow,
  type WaiversListOptions,
} from '../../../bin/waivers-command';
import { DEFAULT_WAIVERS_FILE, parseWaivers } from '../../../policies/load-waivers';
import { parseCsv, runCli } from '../../support/cli';
import { useTempDir } from '../../support/temp-dir';

/** Listed out of expiry order; at NOW the first two have expired. */
const WAIVERS = `waivers:
  - bucket: acme-analytics-*
    account: "111122223333"
    types: [USA_SOCIAL_SECURITY_NUMBER, "*_PASSPORT_NUMBER"]
    reason: Legacy HR export, being moved to the restricted data lake
    ticket: SEC-1234
    approver: jane.doe@example.com
    expires: 2026-04-30
  - bucket: acme-payments-exports
    types: [CREDIT_CARD_NUMBER]
    reason: Reconciliation run
    ticket: SEC-1301
    approver: sam.roe@example.com
    expires: 2026-01-31
  - bucket: acme-hr-records
    types: [employee-id]
    reason: Payroll migration
    ticket: SEC-1302
    approver: sam.roe@example.com
    expires: 2026-05-08T17:00:00Z
  - bucket: acme-logs
    types: [EMAIL_ADDRESS]
    reason: Access logs
    ticket: SEC-1303
    approver: jane.doe@example.com
    expires: 2026-12-31
`;

const NOW = new Date('2026-05-01T09:00:00Z');

/** Far from any date the tests run on, so the CLI's own clock gives the same statuses. */
const LONG_LIVED = `waivers:
  - bucket: acme-logs
    types: [EMAIL_ADDRESS]
    reason: Access logs
    ticket: SEC-1
    approver: jane.doe@example.com
    expires: 2999-12-31
  - bucket: acme-old
    types: [NAME]
    reason: Archive
    ticket: SEC-2
    approver: jane.doe@example.com
    expires: 2000-01-31
`;

function list(options: Partial<WaiversListOptions> = {}, text = WAIVERS): string {
  let stdout = '';
  const code = runWaiversList({
    waivers: parseWaivers(text, 'waivers.yaml'),
    now: NOW,
    format: 'table',
    stdout: (written) => {
      stdout += written;
    },
    ...options,
  });
  expect(code).toBe(0);
  return stdout;
}

function tableRows(stdout: string): string[][] {
  const [, ...rows] = stdout.split('\n\n')[0]?.split('\n') ?? [];
  return rows.map((row) => row.split(/ {2,}/));
}

describe('waivers validate', () => {
  it('summarises a valid file in one line: waivers, active, expired', () => {
    let stdout = '';

    const code = runWaiversValidate({
      waivers: parseWaivers(WAIVERS, 'waivers.yaml'),
      now: NOW,
      stdout: (text) => {
        stdout += text;
      },
    });

    expect(stdout).toBe('waivers.yaml: valid waivers: 4 waivers, 2 active, 2 expired\n');
    expect(code).toBe(0);
  });

  it('validates the shipped waivers file when given none, exiting 0', async () => {
    const { code, stdout } = await runCli('waivers', 'validate');

    expect(stdout).toBe(`${DEFAULT_WAIVERS_FILE}: valid waivers: 0 waivers, 0 active, 0 expired\n`);
    expect(code).toBe(0);
  });

  describe('with files', () => {
    const dir = useTempDir();

    it('judges the waivers of a given file at the current date', async () => {
      const file = dir.write('waivers.yaml', LONG_LIVED);

      const { code, stdout } = await runCli('waivers', 'validate', file);

      expect(stdout).toBe(`${file}: valid waivers: 2 waivers, 1 active, 1 expired\n`);
      expect(code).toBe(0);
    });

    it('exits 2 with every problem of an invalid file, each with file:line and path', async () => {
      const file = dir.write(
        'waivers.yaml',
        LONG_LIVED.replace('types: [EMAIL_ADDRESS]', 'types: []').replace(
          'expires: 2000-01-31',
          'expires: 2000-02-30',
        ),
      );

      const { code, stdout, stderr } = await runCli('waivers', 'validate', file);

      expect(stderr).toBe(
        [
          'bucket-classification: invalid waivers (2 problems)',
          `  ${file}:3: waivers[0].types: must name at least one data type`,
          `  ${file}:13: waivers[1].expires: "2000-02-30" is not a date in the calendar`,
          '',
        ].join('\n'),
      );
      expect(stdout).toBe('');
      expect(code).toBe(2);
    });

    it('exits 2 naming a file that does not exist', async () => {
      const missing = `${dir.path}/missing.yaml`;

      const { code, stderr } = await runCli('waivers', 'validate', missing);

      expect(stderr).toContain(`${missing}: cannot read the file (ENOENT)`);
      expect(code).toBe(2);
    });

    it('lists the waivers of a given file as CSV, exiting 0', async () => {
      const file = dir.write('waivers.yaml', LONG_LIVED);

      const { code, stdout } = await runCli('waivers', 'list', file, '--format', 'csv');

      expect(parseCsv(stdout).map((row) => [row[0], row[7]])).toEqual([
        ['bucket', 'status'],
        ['acme-old', 'expired'],
        ['acme-logs', 'active'],
      ]);
      expect(code).toBe(0);
    });

    it('lists as a table by default', async () => {
      const file = dir.write('waivers.yaml', LONG_LIVED);

      const { code, stdout } = await runCli('waivers', 'list', file);

      expect(stdout).toMatch(/^BUCKET {2,}ACCOUNT {2,}TYPES /);
      expect(stdout).toContain('\n2 waivers, 1 active, 1 expired.\n');
      expect(code).toBe(0);
    });

    it('lists only the waivers ending within --expiring days, as JSON', async () => {
      const file = dir.write('waivers.yaml', LONG_LIVED);

      const { code, stdout } = await runCli(
        'waivers',
        'list',
        file,
        '--expiring',
        '30',
        '--format',
        'json',
      );

      expect(JSON.parse(stdout)).toMatchObject({ expiringWithinDays: 30, waivers: [] });
      expect(code).toBe(0);
    });

    it('exits 2 when the file to list is invalid', async () => {
      const file = dir.write('waivers.yaml', 'waivers:\n  - bucket: acme-logs\n');

      const { code, stderr } = await runCli('waivers', 'list', file);

      expect(stderr).toMatch(/^bucket-classification: invalid waivers \(5 problems\)\n/);
      expect(code).toBe(2);
    });
  });
});

describe('waivers list', () => {
  it('shows each waiver in a table, the soonest to end first, then the totals', () => {
    const stdout = list();

    expect(stdout.split('\n')[0]?.split(/ {2,}/)).toEqual([
      'BUCKET',
      'ACCOUNT',
      'TYPES',
      'TICKET',
      'APPROVER',
      'EXPIRES',
      'DAYS LEFT',
      'REASON',
    ]);
    expect(tableRows(stdout)).toEqual([
      [
        'acme-payments-exports',
        'any',
        'CREDIT_CARD_NUMBER',
        'SEC-1301',
        'sam.roe@example.com',
        '2026-01-31',
        'expired (-90)',
        'Reconciliation run',
      ],
      [
        'acme-analytics-*',
        '111122223333',
        'USA_SOCIAL_SECURITY_NUMBER, *_PASSPORT_NUMBER',
        'SEC-1234',
        'jane.doe@example.com',
        '2026-04-30',
        'expired (-1)',
        'Legacy HR export, being moved to the restricted data lake',
      ],
      [
        'acme-hr-records',
        'any',
        'employee-id',
        'SEC-1302',
        'sam.roe@example.com',
        '2026-05-08T17:00:00Z',
        '7',
        'Payroll migration',
      ],
      [
        'acme-logs',
        'any',
        'EMAIL_ADDRESS',
        'SEC-1303',
        'jane.doe@example.com',
        '2026-12-31',
        '244',
        'Access logs',
      ],
    ]);
    expect(stdout.endsWith('\n\n4 waivers, 2 active, 2 expired.\n')).toBe(true);
  });

  it('shows only the active waivers ending within --expiring days', () => {
    const stdout = list({ expiring: 7 });

    expect(tableRows(stdout).map((row) => row[3])).toEqual(['SEC-1302']);
    expect(stdout).toContain(
      '\n1 active waiver ends within 7 days; 4 waivers, 2 active, 2 expired.\n',
    );
  });

  it('shows no rows when no waiver ends within --expiring days', () => {
    const stdout = list({ expiring: 6 });

    expect(tableRows(stdout)).toEqual([]);
    expect(stdout).toContain('\n0 active waivers end within 6 days;');
  });

  it('writes every field as JSON, with status and days left, then the totals', () => {
    const report = JSON.parse(list({ format: 'json' })) as {
      source: string;
      waivers: WaiverRow[];
      summary: unknown;
    };

    expect(report.source).toBe('waivers.yaml');
    expect(report.waivers[1]).toEqual({
      bucket: 'acme-analytics-*',
      accountId: '111122223333',
      types: ['USA_SOCIAL_SECURITY_NUMBER', '*_PASSPORT_NUMBER'],
      ticket: 'SEC-1234',
      approver: 'jane.doe@example.com',
      expires: '2026-04-30',
      expiresAt: '2026-05-01T00:00:00.000Z',
      status: 'expired',
      daysLeft: -1,
      reason: 'Legacy HR export, being moved to the restricted data lake',
      source: 'waivers.yaml:2',
    });
    expect(report.summary).toEqual({ waivers: 4, active: 2, expired: 2 });
  });

  it('writes CSV with a header and one row per waiver, types joined by |', () => {
    const rows = parseCsv(list({ format: 'csv' }));

    expect(rows[0]).toEqual([
      'bucket',
      'accountId',
      'types',
      'ticket',
      'approver',
      'expires',
      'expiresAt',
      'status',
      'daysLeft',
      'reason',
      'source',
    ]);
    expect(rows[2]).toEqual([
      'acme-analytics-*',
      '111122223333',
      'USA_SOCIAL_SECURITY_NUMBER|*_PASSPORT_NUMBER',
      'SEC-1234',
      'jane.doe@example.com',
      '2026-04-30',
      '2026-05-01T00:00:00.000Z',
      'expired',
      '-1',
      'Legacy HR export, being moved to the restricted data lake',
      'waivers.yaml:2',
    ]);
    expect(rows).toHaveLength(5);
  });

  it('defuses CSV cells a spreadsheet would run as a formula', () => {
    const rows = parseCsv(
      list({ format: 'csv' }, WAIVERS.replace('Access logs', '"=HYPERLINK(1)"')),
    );

    expect(rows[4]?.[9]).toBe("'=HYPERLINK(1)");
  });

  it('keeps control characters out of the table', () => {
    const stdout = list({}, WAIVERS.replace('Access logs', '"Access\\u001b[31m logs"'));

    expect(tableRows(stdout)[3]?.[7]).toBe('Access?[31m logs');
  });

  it('shows a waiver for any account as "any" in the table', () => {
    expect(tableRows(list())[0]?.[1]).toBe('any');
  });
});

describe('waivers usage errors', () => {
  it.each([
    { given: 'no subcommand', argv: ['waivers'], message: 'waivers needs a subcommand' },
    {
      given: 'an unknown subcommand',
      argv: ['waivers', 'check'],
      message: 'unknown waivers subcommand "check" (expected validate or list)',
    },
    {
      given: 'two files to validate',
      argv: ['waivers', 'validate', 'a.yaml', 'b.yaml'],
      message: 'waivers validate takes at most one file',
    },
    {
      given: 'two files to list',
      argv: ['waivers', 'list', 'a.yaml', 'b.yaml'],
      message: 'waivers list takes at most one file',
    },
    {
      given: '--format xml',
      argv: ['waivers', 'list', '--format', 'xml'],
      message: '--format must be one of table, json, csv; got "xml"',
    },
    {
      given: '--expiring soon',
      argv: ['waivers', 'list', '--expiring', 'soon'],
      message: '--expiring must be a whole number of days; got "soon"',
    },
    {
      given: 'a negative --expiring',
      argv: ['waivers', 'list', '--expiring=-1'],
      message: '--expiring must be a whole number of days; got "-1"',
    },
  ])('exits 2 for $given, saying what is wrong', async ({ argv, message }) => {
    const { code, stdout, stderr } = await runCli(...argv);

    expect(stderr).toContain(`bucket-classification: ${message}`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('lists the waivers commands in --help', async () => {
    const { stdout } = await runCli('--help');

    expect(stdout).toContain(
      'bucket-classification waivers list [FILE] [--format table|json|csv] [--expiring DAYS]',
    );
  });
});
