import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPolicy } from '../../../policies/load-policy';
import { knownManagedIdentifiers } from '../../../policies/managed-identifiers';
import { describeRequirement, requirementFor } from '../../../rules/required-level';

const policy = loadPolicy();
const identifiers = knownManagedIdentifiers();
const REFERENCE_TSV = path.resolve(
  __dirname,
  '../../../../shared/fixtures/macie/managed-data-identifiers.tsv',
);

function needs(type: string, category: string): string {
  return describeRequirement(requirementFor(policy, { type, category, custom: false }).requirement);
}

/** What the default policy promises, by the identifier's name and category. */
function expectedLevel(type: string, category: string): string {
  if (category === 'CREDENTIALS') return 'forbidden';
  // PCI DSS 3.3.1: sensitive authentication data is not stored after authorisation.
  if (type === 'CREDIT_CARD_SECURITY_CODE' || type === 'CREDIT_CARD_MAGNETIC_STRIPE') {
    return 'forbidden';
  }
  if (category === 'FINANCIAL_INFORMATION') {
    return /^CREDIT_CARD_NUMBER|BANK_ACCOUNT_NUMBER$/.test(type) ? 'Restricted' : 'Confidential';
  }
  const restricted =
    /(PASSPORT|NATIONAL_IDENTIFICATION|SOCIAL_SECURITY|SOCIAL_INSURANCE|NATIONAL_INSURANCE|DRIVERS_LICENSE|HEALTH|MEDIC|NHS|DRUG|PROVIDER_IDENTIFIER|_UDI$|DNI|NIE_|NIF_|CURP|AADHAAR|RG_NUMBER|RUT_NUMBER|CITIZENSHIP|CPF|INDIVIDUAL|TAX_FILE|PERMANENT_ACCOUNT|^(FRANCE|GERMANY|SPAIN|UK)_TAX_IDENTIFICATION)/;
  return restricted.test(type) ? 'Restricted' : 'Confidential';
}

describe('default policy', () => {
  it('knows the category of every Macie managed data identifier', () => {
    expect(identifiers.length).toBeGreaterThanOrEqual(166);
  });

  it.each(identifiers.map(({ type, category }) => [type, category]))(
    '%s (%s) needs the level the policy promises',
    (type, category) => {
      expect(needs(type, category)).toBe(expectedLevel(type, category));
    },
  );

  it('never leaves a managed identifier to the unknown-category fallback', () => {
    const fallback = identifiers.filter(({ type, category }) =>
      requirementFor(policy, { type, category, custom: false }).because.startsWith(
        'unknownCategory',
      ),
    );

    expect(fallback).toEqual([]);
  });

  it('matches the reference list of managed data identifiers, when it is present', () => {
    if (!existsSync(REFERENCE_TSV)) {
      expect(process.env.CI).toBeUndefined();
      return;
    }
    const reference = readFileSync(REFERENCE_TSV, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'))
      .map(([type, category]) => `${type}\t${category}`)
      .sort();

    expect(identifiers.map(({ type, category }) => `${type}\t${category}`).sort()).toEqual(
      reference,
    );
  });
});
