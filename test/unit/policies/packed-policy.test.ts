import { loadPolicy, parsePolicy } from '../../../policies/load-policy';
import { parseWaivers } from '../../../policies/load-waivers';
import { knownManagedIdentifiers } from '../../../policies/managed-identifiers';
import {
  packPolicy,
  packWaivers,
  unpackPolicy,
  unpackWaivers,
} from '../../../policies/packed-policy';
import { requirementFor } from '../../../rules/required-level';
import { waiverFor } from '../../../rules/waivers';

/** A policy with a pattern, an alias and named custom identifiers, extending nothing. */
const POLICY = `levels:
  - name: Public
  - name: Internal
    aliases: [Private]
  - name: Confidential
  - name: Restricted
categories:
  FINANCIAL_INFORMATION: Confidential
  PERSONAL_INFORMATION: Internal
  CREDENTIALS: forbidden
unknownCategory: Restricted
managedIdentifiers:
  "*_PASSPORT_NUMBER": Restricted
  "USA_*_NUMBER": Confidential
  CREDIT_CARD_NUMBER: Restricted
customIdentifiers:
  default: Confidential
  byName:
    Employee ID: Internal
severity:
  levelGap: [Medium, High, Critical]
  forbidden: Critical
  unclassified: High
  publicExposureRaise: 1
`;

const WAIVERS = `waivers:
  - bucket: acme-analytics-*
    account: "111122223333"
    types: [USA_SOCIAL_SECURITY_NUMBER, "*_PASSPORT_NUMBER"]
    reason: Legacy export being migrated
    ticket: SEC-1234
    approver: jane.doe@example.com
    expires: 2026-06-30
  - bucket: hr-exports
    types: [NAME]
    reason: Payroll hand-over
    ticket: SEC-99
    approver: sam@example.com
    expires: 2026-12-01T12:00:00Z
`;

/** Through JSON text, as packaging writes the packed form into a bundle. */
function throughJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('a packed policy', () => {
  const policy = parsePolicy(POLICY, 'policies/team.yaml');
  // Packed inside each test, so that a mutation run counts the packing as covered by
  // the tests that check it.
  const unpack = () => unpackPolicy(throughJson(packPolicy(policy)));

  it('is the loaded policy again, but for its matchers, which are rebuilt', () => {
    const { managedIdentifierPatterns, ...rest } = unpack();
    const { managedIdentifierPatterns: originalPatterns, ...originalRest } = policy;
    expect(rest).toEqual(originalRest);
    // Most specific (most literal characters) first.
    expect(managedIdentifierPatterns.map((p) => p.pattern)).toEqual([
      '*_PASSPORT_NUMBER',
      'USA_*_NUMBER',
    ]);
    expect(managedIdentifierPatterns.map((p) => p.pattern)).toEqual(
      originalPatterns.map((p) => p.pattern),
    );
  });

  it('requires what the loaded one requires of every managed identifier Macie has, and of others', () => {
    const unpacked = unpack();
    const types = [
      ...knownManagedIdentifiers(),
      { type: 'FRA_PASSPORT_NUMBER', category: 'PERSONAL_INFORMATION' },
      { type: 'USA_PASSPORT_NUMBER', category: 'PERSONAL_INFORMATION' },
      { type: 'SOMETHING_NEW', category: 'NOT_A_CATEGORY' },
    ];
    for (const { type, category } of types) {
      expect([type, requirementFor(unpacked, { type, category, custom: false })]).toEqual([
        type,
        requirementFor(policy, { type, category, custom: false }),
      ]);
    }
    expect(
      requirementFor(unpacked, { type: 'employee id', category: 'CUSTOM', custom: true }),
    ).toEqual(requirementFor(policy, { type: 'employee id', category: 'CUSTOM', custom: true }));
    expect(
      requirementFor(unpacked, { type: 'USA_PASSPORT_NUMBER', category: 'X', custom: false })
        .requirement,
    ).toEqual({ kind: 'level', level: 'Restricted', rank: 3 });
  });

  it('keeps the shipped default policy whole', () => {
    const shipped = loadPolicy();
    const { managedIdentifierPatterns, ...rest } = unpackPolicy(throughJson(packPolicy(shipped)));
    const { managedIdentifierPatterns: originalPatterns, ...originalRest } = shipped;
    expect(rest).toEqual(originalRest);
    expect(managedIdentifierPatterns.map((p) => [p.pattern, p.requirement])).toEqual(
      originalPatterns.map((p) => [p.pattern, p.requirement]),
    );
  });

  it('names its file and the files it extends as packaging renames them', () => {
    const packed = packPolicy(
      { ...policy, extends: ['/build/policies/default-policy.yaml'] },
      (f) => f.replace('/build/', ''),
    );
    expect(packed.source).toBe('policies/team.yaml');
    expect(packed.extends).toEqual(['policies/default-policy.yaml']);
    expect(unpackPolicy(packed).extends).toEqual(['policies/default-policy.yaml']);
    expect('extends' in packPolicy(policy)).toBe(false);
  });
});

describe('packed waivers', () => {
  const waivers = parseWaivers(WAIVERS, '/build/policies/waivers.yaml');
  // Packed inside each test, as the policy above.
  const unpack = () =>
    unpackWaivers(throughJson(packWaivers(waivers, () => 'policies/waivers.yaml')));

  it('name their file, and each waiver its line, as packaging renames the file', () => {
    const unpacked = unpack();
    expect(unpacked.source).toBe('policies/waivers.yaml');
    expect(unpacked.waivers.map((w) => w.source)).toEqual([
      'policies/waivers.yaml:2',
      'policies/waivers.yaml:9',
    ]);
  });

  it('keep every field and the instant each waiver ends', () => {
    const unpacked = unpack();
    expect(unpacked.waivers.map((w) => [w.bucket, w.accountId, w.types, w.expires])).toEqual([
      [
        'acme-analytics-*',
        '111122223333',
        ['USA_SOCIAL_SECURITY_NUMBER', '*_PASSPORT_NUMBER'],
        '2026-06-30',
      ],
      ['hr-exports', null, ['NAME'], '2026-12-01T12:00:00Z'],
    ]);
    expect(unpacked.waivers.map((w) => w.expiresAt.toISOString())).toEqual([
      '2026-07-01T00:00:00.000Z',
      '2026-12-01T12:00:00.000Z',
    ]);
  });

  it('cover what the loaded waivers cover, on either side of their expiry', () => {
    const unpacked = unpack();
    const waived = {
      accountId: '111122223333',
      bucket: 'acme-analytics-eu',
      type: 'deu_passport_number',
    };
    const otherAccount = { ...waived, accountId: '444455556666' };
    const subjects = [
      waived,
      otherAccount,
      { accountId: '111122223333', bucket: 'acme-analytics', type: 'USA_SOCIAL_SECURITY_NUMBER' },
      { accountId: '444455556666', bucket: 'hr-exports', type: 'name' },
    ];
    for (const now of ['2026-06-30T23:59:59Z', '2026-07-01T00:00:00Z', '2026-12-01T12:00:00Z']) {
      for (const subject of subjects) {
        const status = (w: typeof waivers) =>
          waiverFor(w, subject, new Date(now))?.status ?? 'none';
        expect([now, subject, status(unpacked)]).toEqual([now, subject, status(waivers)]);
      }
    }
    expect(waiverFor(unpacked, waived, new Date('2026-06-30T23:59:59Z'))?.status).toBe('active');
    expect(waiverFor(unpacked, otherAccount, new Date('2026-06-30T23:59:59Z'))).toBeUndefined();
  });
});
