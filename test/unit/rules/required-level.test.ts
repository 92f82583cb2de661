import { loadPolicy, parsePolicy } from '../../../policies/load-policy';
import { describeRequirement, requirementFor } from '../../../rules/required-level';

const policy = loadPolicy();

function needs(type: string, category: string, custom = false): string {
  return describeRequirement(requirementFor(policy, { type, category, custom }).requirement);
}

describe('requirementFor (default policy)', () => {
  it.each([
    ['AWS_CREDENTIALS', 'CREDENTIALS', 'forbidden'],
    ['OPENSSH_PRIVATE_KEY', 'CREDENTIALS', 'forbidden'],
    ['CREDIT_CARD_NUMBER', 'FINANCIAL_INFORMATION', 'Restricted'],
    ['CREDIT_CARD_NUMBER_(NO_KEYWORD)', 'FINANCIAL_INFORMATION', 'Restricted'],
    ['CREDIT_CARD_MAGNETIC_STRIPE', 'FINANCIAL_INFORMATION', 'forbidden'],
    ['CREDIT_CARD_SECURITY_CODE', 'FINANCIAL_INFORMATION', 'forbidden'],
    ['BANK_ACCOUNT_NUMBER', 'FINANCIAL_INFORMATION', 'Restricted'],
    ['FRANCE_BANK_ACCOUNT_NUMBER', 'FINANCIAL_INFORMATION', 'Restricted'],
    ['CREDIT_CARD_EXPIRATION', 'FINANCIAL_INFORMATION', 'Confidential'],
    ['USA_SOCIAL_SECURITY_NUMBER', 'PERSONAL_INFORMATION', 'Restricted'],
    ['GERMANY_PASSPORT_NUMBER', 'PERSONAL_INFORMATION', 'Restricted'],
    ['UK_NHS_NUMBER', 'PERSONAL_INFORMATION', 'Restricted'],
    ['NAME', 'PERSONAL_INFORMATION', 'Confidential'],
    ['ADDRESS', 'PERSONAL_INFORMATION', 'Confidential'],
    ['EMAIL_ADDRESS', 'PERSONAL_INFORMATION', 'Confidential'],
    ['PHONE_NUMBER', 'PERSONAL_INFORMATION', 'Confidential'],
    ['BRAZIL_CNPJ_NUMBER', 'PERSONAL_INFORMATION', 'Confidential'],
  ])('%s (%s) needs %s', (type, category, level) => {
    expect(needs(type, category)).toBe(level);
  });

  it('matches managed identifiers case-insensitively', () => {
    expect(needs(' usa_passport_number ', 'personal_information')).toBe('Restricted');
  });

  it('names the policy entry that decided', () => {
    expect(
      requirementFor(policy, {
        type: 'UK_PASSPORT_NUMBER',
        category: 'PERSONAL_INFORMATION',
        custom: false,
      }).because,
    ).toBe('managedIdentifiers."*_PASSPORT_NUMBER"');
    expect(
      requirementFor(policy, { type: 'NAME', category: 'PERSONAL_INFORMATION', custom: false })
        .because,
    ).toBe('categories.PERSONAL_INFORMATION');
    expect(requirementFor(policy, { type: 'x', category: 'NEW', custom: false }).because).toContain(
      'category NEW',
    );
  });

  it('gives custom identifiers the custom default, whatever their name', () => {
    expect(needs('AWS_CREDENTIALS', 'CUSTOM_IDENTIFIER', true)).toBe('Confidential');
  });
});

describe('requirementFor (lookup order)', () => {
  const ORDER_POLICY = `
levels: [{name: Public}, {name: Internal}, {name: Confidential}, {name: Restricted}]
categories: {PERSONAL_INFORMATION: Internal}
unknownCategory: Restricted
managedIdentifiers:
  "*_NUMBER": Confidential
  "*_PASSPORT_NUMBER": Restricted
  FRANCE_PASSPORT_NUMBER: Internal
customIdentifiers:
  default: Confidential
  byName: {Employee-ID: Public}
severity: {levelGap: [Medium, High, Critical], forbidden: Critical, unclassified: High, publicExposureRaise: 1}
`;
  const custom = parsePolicy(ORDER_POLICY, 'order.yaml');
  const level = (type: string, isCustom = false): string =>
    describeRequirement(
      requirementFor(custom, { type, category: 'PERSONAL_INFORMATION', custom: isCustom })
        .requirement,
    );

  it('prefers an exact ID over any pattern', () => {
    expect(level('FRANCE_PASSPORT_NUMBER')).toBe('Internal');
  });

  it('prefers the more specific pattern', () => {
    expect(level('SPAIN_PASSPORT_NUMBER')).toBe('Restricted');
    expect(level('SPAIN_DNI_NUMBER')).toBe('Confidential');
  });

  it('falls back to the category when nothing matches', () => {
    expect(level('NAME')).toBe('Internal');
  });

  it('matches custom identifier names case-insensitively', () => {
    expect(level('employee-id', true)).toBe('Public');
    expect(level('other-id', true)).toBe('Confidential');
  });

  it('names the entry that decided, as the policy file spells it', () => {
    // A policy of its own: answers are remembered per policy, and these must be worked out here.
    const fresh = parsePolicy(ORDER_POLICY, 'order.yaml');
    const because = (type: string, isCustom = false): string =>
      requirementFor(fresh, { type, category: 'PERSONAL_INFORMATION', custom: isCustom }).because;

    expect(because('france_passport_number')).toBe('managedIdentifiers.FRANCE_PASSPORT_NUMBER');
    expect(because('SPAIN_PASSPORT_NUMBER')).toBe('managedIdentifiers."*_PASSPORT_NUMBER"');
    expect(because('NAME')).toBe('categories.PERSONAL_INFORMATION');
    expect(because('Employee-ID', true)).toBe('customIdentifiers.byName.Employee-ID');
    expect(because('other-id', true)).toBe('customIdentifiers.default');
  });

  it.each([
    ['all upper case', 'EMPLOYEE-ID'],
    ['mixed case unlike the policy', 'eMPLOYEE-iD'],
  ])('matches a custom identifier name written in %s', (_, name) => {
    expect(level(name, true)).toBe('Public');
  });
});
