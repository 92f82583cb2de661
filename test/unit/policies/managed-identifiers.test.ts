import {
  categoryOfManagedIdentifier,
  knownManagedIdentifiers,
} from '../../../policies/managed-identifiers';

describe('the managed data identifiers catalogue', () => {
  it('names the category of a managed identifier, in any case and spacing', () => {
    expect(categoryOfManagedIdentifier('AWS_CREDENTIALS')).toBe('CREDENTIALS');
    expect(categoryOfManagedIdentifier('USA_SOCIAL_SECURITY_NUMBER')).toBe('PERSONAL_INFORMATION');
    expect(categoryOfManagedIdentifier('CREDIT_CARD_NUMBER')).toBe('FINANCIAL_INFORMATION');
    expect(categoryOfManagedIdentifier(' aws_credentials ')).toBe('CREDENTIALS');
  });

  it('knows nothing of a type outside the catalogue', () => {
    expect(categoryOfManagedIdentifier('CUSTOM_EMPLOYEE_ID')).toBeUndefined();
    expect(categoryOfManagedIdentifier('')).toBeUndefined();
  });

  it('lists every identifier of the catalogue once, with its category', () => {
    const known = knownManagedIdentifiers();

    // The catalogue as shipped: 9 credentials, 58 financial, 99 personal.
    expect(known).toHaveLength(166);
    expect(new Set(known.map(({ type }) => type)).size).toBe(166);
    expect(known.filter(({ category }) => category === 'CREDENTIALS')).toHaveLength(9);
    expect(known).toContainEqual({ type: 'AWS_CREDENTIALS', category: 'CREDENTIALS' });
    expect(known).toContainEqual({
      type: 'USA_PASSPORT_NUMBER',
      category: 'PERSONAL_INFORMATION',
    });
  });
});
