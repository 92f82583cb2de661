import { DEFAULT_WAIVERS_FILE, loadWaivers, parseWaivers } from '../../../policies/load-waivers';
import { WaiversError } from '../../../policies/policy-error';
import { useTempDir } from '../../support/temp-dir';

const VALID = `waivers:
  - bucket: acme-analytics-*
    account: "111122223333"
    types: [USA_SOCIAL_SECURITY_NUMBER, "*_PASSPORT_NUMBER"]
    reason: Legacy HR export, being moved to the restricted data lake
    ticket: SEC-1234
    approver: jane.doe@example.com
    expires: 2026-06-30
  - bucket: acme-payments-exports
    types: [employee-id]
    reason: Reconciliation run
    ticket: SEC-1300
    approver: sam.roe@example.com
    expires: 2026-01-15T17:30:00+01:00
`;

function problemsOf(text: string): WaiversError {
  try {
    parseWaivers(text, 'waivers.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(WaiversError);
    return error as WaiversError;
  }
  throw new Error('expected the waivers to be rejected');
}

/** The first waiver of VALID with `line` (one of its lines) replaced. */
function withFirst(line: string, replacement: string): string {
  expect(VALID).toContain(line);
  return VALID.replace(line, replacement);
}

describe('loadWaivers', () => {
  const dir = useTempDir();

  it('loads the shipped waivers file', () => {
    const waivers = loadWaivers();

    expect(waivers.source).toBe(DEFAULT_WAIVERS_FILE);
    expect(waivers.waivers).toEqual([]);
  });

  it('reads a YAML file and names it in each waiver', () => {
    const file = dir.write('waivers.yaml', VALID);

    expect(loadWaivers(file).waivers.map((waiver) => waiver.source)).toEqual([
      `${file}:2`,
      `${file}:9`,
    ]);
  });

  it('reads JSON files too', () => {
    const file = dir.write(
      'waivers.json',
      JSON.stringify({
        waivers: [
          {
            bucket: 'acme-logs',
            types: ['EMAIL_ADDRESS'],
            reason: 'Access logs',
            ticket: 'SEC-1',
            approver: 'jane',
            expires: '2026-03-01',
          },
        ],
      }),
    );

    expect(loadWaivers(file).waivers[0]).toMatchObject({ bucket: 'acme-logs', accountId: null });
  });

  it('names a file it cannot read', () => {
    const missing = `${dir.path}/missing.yaml`;

    expect(() => loadWaivers(missing)).toThrow(`${missing}: cannot read the file (ENOENT)`);
  });

  it('says "invalid waivers" for a file it cannot read', () => {
    expect(() => loadWaivers(`${dir.path}/missing.yaml`)).toThrow(/^invalid waivers\n/);
  });
});

describe('parseWaivers', () => {
  it('keeps each field as written', () => {
    const [first] = parseWaivers(VALID, 'waivers.yaml').waivers;

    expect(first).toMatchObject({
      bucket: 'acme-analytics-*',
      accountId: '111122223333',
      types: ['USA_SOCIAL_SECURITY_NUMBER', '*_PASSPORT_NUMBER'],
      reason: 'Legacy HR export, being moved to the restricted data lake',
      ticket: 'SEC-1234',
      approver: 'jane.doe@example.com',
      expires: '2026-06-30',
      source: 'waivers.yaml:2',
    });
  });

  it('ends a date waiver at the midnight (UTC) after its day', () => {
    const [first] = parseWaivers(VALID, 'waivers.yaml').waivers;

    expect(first?.expiresAt.toISOString()).toBe('2026-07-01T00:00:00.000Z');
  });

  it('ends a timestamp waiver at that instant, in UTC', () => {
    const [, second] = parseWaivers(VALID, 'waivers.yaml').waivers;

    expect(second?.expiresAt.toISOString()).toBe('2026-01-15T16:30:00.000Z');
  });

  it('reads fractions of a second in a timestamp', () => {
    const text = withFirst('expires: 2026-06-30', 'expires: 2026-06-30T23:59:59.5Z');

    expect(parseWaivers(text, 'w.yaml').waivers[0]?.expiresAt.toISOString()).toBe(
      '2026-06-30T23:59:59.500Z',
    );
  });

  it('accepts a timestamp without seconds', () => {
    const text = withFirst('expires: 2026-06-30', 'expires: 2026-06-30T12:00Z');

    expect(parseWaivers(text, 'w.yaml').waivers[0]?.expiresAt.toISOString()).toBe(
      '2026-06-30T12:00:00.000Z',
    );
  });

  it('accepts an unquoted account id, which YAML reads as a number', () => {
    const text = withFirst('account: "111122223333"', 'account: 111122223333');

    expect(parseWaivers(text, 'w.yaml').waivers[0]?.accountId).toBe('111122223333');
  });

  it('accepts an empty list of waivers', () => {
    expect(parseWaivers('waivers: []\n', 'w.yaml').waivers).toEqual([]);
  });
});

describe('parseWaivers errors', () => {
  it('rejects a waiver without types, naming file, line and path', () => {
    const error = problemsOf(
      withFirst('types: [USA_SOCIAL_SECURITY_NUMBER, "*_PASSPORT_NUMBER"]', 'types: []'),
    );

    expect(error.problems).toEqual([
      { path: 'waivers[0].types', line: 4, message: 'must name at least one data type' },
    ]);
    expect(error.message).toBe(
      'invalid waivers\n  waivers.yaml:4: waivers[0].types: must name at least one data type',
    );
  });

  it('rejects a blank type', () => {
    const error = problemsOf(withFirst('types: [employee-id]', 'types: [employee-id, "  "]'));

    expect(error.problems).toEqual([
      { path: 'waivers[1].types[1]', line: 10, message: 'must not be blank' },
    ]);
  });

  it.each(['reason', 'ticket', 'approver'])('rejects a blank %s', (key) => {
    const error = problemsOf(
      VALID.replace(new RegExp(`^ {4}${key}: .*$`, 'm'), `    ${key}: "  "`),
    );

    expect(error.problems).toEqual([
      expect.objectContaining({ path: `waivers[0].${key}`, message: 'must not be blank' }),
    ]);
  });

  it.each(['bucket', 'types', 'reason', 'ticket', 'approver', 'expires'])('requires %s', (key) => {
    // Drop the key's line from the first waiver; without bucket, account starts the item.
    const text = VALID.replace(new RegExp(`^ {4}${key}: .*\\n`, 'm'), '').replace(
      /^ {2}- bucket: .*\n {4}account:/m,
      key === 'bucket' ? '  - account:' : '$&',
    );
    const error = problemsOf(text);

    expect(error.problems).toEqual([
      { path: `waivers[0].${key}`, line: 2, message: 'is required' },
    ]);
  });

  it('rejects an account id that is not 12 digits', () => {
    const error = problemsOf(withFirst('account: "111122223333"', 'account: "11112222333"'));

    expect(error.problems).toEqual([
      {
        path: 'waivers[0].account',
        line: 3,
        message: expect.stringMatching(/^must be a 12-digit AWS account id/),
      },
    ]);
  });

  it.each([
    ['13 digits', '1111222233334'],
    ['11 digits', '11112222333'],
  ])('rejects an account id of %s', (_, account) => {
    const error = problemsOf(withFirst('account: "111122223333"', `account: "${account}"`));

    expect(error.problems.map((problem) => problem.path)).toEqual(['waivers[0].account']);
  });

  it('rejects an unquoted account id that lost its leading zero', () => {
    const error = problemsOf(withFirst('account: "111122223333"', 'account: 012345678901'));

    expect(error.problems[0]?.message).toContain('quote it when it starts with 0');
  });

  it.each([
    ['30/06/2026'],
    ['2026-6-30'],
    ['next month'],
    ['2026-06-30T12:00:00'],
    ['2026-06-30 12:00Z'],
  ])('rejects the expiry %s, which is neither YYYY-MM-DD nor a timestamp with a zone', (value) => {
    const error = problemsOf(withFirst('expires: 2026-06-30', `expires: "${value}"`));

    expect(error.problems).toEqual([
      {
        path: 'waivers[0].expires',
        line: 8,
        message: expect.stringMatching(/^must be a date YYYY-MM-DD or an ISO timestamp/),
      },
    ]);
  });

  it.each([
    ['2026-02-30'],
    ['2026-13-01'],
    ['2025-02-29'],
    ['2026-06-30T24:00:00Z'],
    ['2026-06-30T12:60Z'],
    ['2026-06-30T12:00:61Z'],
    ['2026-06-30T12:00:00+24:00'],
    ['2026-06-30T12:00:00+01:60'],
  ])('rejects the expiry %s, which is not in the calendar', (value) => {
    const error = problemsOf(withFirst('expires: 2026-06-30', `expires: "${value}"`));

    expect(error.problems).toEqual([
      { path: 'waivers[0].expires', line: 8, message: `"${value}" is not a date in the calendar` },
    ]);
  });

  it('accepts 29 February in a leap year', () => {
    const text = withFirst('expires: 2026-06-30', 'expires: 2028-02-29');

    expect(parseWaivers(text, 'w.yaml').waivers[0]?.expires).toBe('2028-02-29');
  });

  it('names an unknown key in a waiver and the keys allowed there', () => {
    const error = problemsOf(
      withFirst('    ticket: SEC-1234', '    ticket: SEC-1234\n    owner: hr'),
    );

    expect(error.problems).toEqual([
      {
        path: 'waivers[0].owner',
        line: 7,
        message:
          'unknown key (allowed here: bucket, account, types, reason, ticket, approver, expires)',
      },
    ]);
  });

  it('names an unknown top-level key', () => {
    const error = problemsOf(`${VALID}exceptions: []\n`);

    expect(error.problems).toEqual([
      { path: 'exceptions', line: 15, message: 'unknown key (allowed here: waivers)' },
    ]);
  });

  it('requires the list of waivers', () => {
    expect(problemsOf('description: none\n').problems.map((p) => [p.path, p.message])).toEqual(
      expect.arrayContaining([['waivers', 'is required']]),
    );
  });

  it('rejects an empty file', () => {
    expect(problemsOf('# no waivers yet\n').problems).toEqual([
      { path: '', message: 'the file is empty' },
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const error = problemsOf('waivers:\n  - bucket: [unclosed\n');

    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(/^invalid waivers/);
  });

  it('reports a duplicate key', () => {
    const error = problemsOf(
      withFirst('    ticket: SEC-1234', '    ticket: SEC-1234\n    ticket: SEC-9'),
    );

    expect(error.problems[0]?.message).toMatch(/unique/i);
  });

  it('reports every problem at once, across waivers', () => {
    const error = problemsOf(
      withFirst('expires: 2026-06-30', 'expires: 2026-02-30')
        .replace('types: [employee-id]', 'types: []')
        .replace('ticket: SEC-1300', 'ticket: " "'),
    );

    expect(error.problems.map((p) => `${p.line}: ${p.path}`)).toEqual([
      '8: waivers[0].expires',
      '10: waivers[1].types',
      '12: waivers[1].ticket',
    ]);
    expect(error.message).toMatch(/^invalid waivers \(3 problems\)\n {2}waivers\.yaml:8: /);
  });
});
