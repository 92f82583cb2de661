import { detectedTypes } from '../../../rules/detected-types';

describe('detectedTypes', () => {
  it('lists managed identifiers with their category and count', () => {
    const types = detectedTypes({
      sensitiveData: [
        { category: 'PERSONAL_INFORMATION', detections: [{ type: 'NAME', count: 6 }] },
        {
          category: 'FINANCIAL_INFORMATION',
          detections: [{ type: 'BANK_ACCOUNT_NUMBER', count: 3 }],
        },
      ],
    });

    expect(types).toEqual([
      { type: 'BANK_ACCOUNT_NUMBER', category: 'FINANCIAL_INFORMATION', count: 3, custom: false },
      { type: 'NAME', category: 'PERSONAL_INFORMATION', count: 6, custom: false },
    ]);
  });

  it('lists custom data identifiers by name in category CUSTOM_IDENTIFIER', () => {
    const types = detectedTypes({
      sensitiveData: [],
      customDataIdentifiers: { detections: [{ name: 'employee-id', count: 40 }] },
    });

    expect(types).toEqual([
      { type: 'employee-id', category: 'CUSTOM_IDENTIFIER', count: 40, custom: true },
    ]);
  });

  it('treats sensitiveData items of category CUSTOM_IDENTIFIER as custom', () => {
    const types = detectedTypes({
      sensitiveData: [
        { category: 'CUSTOM_IDENTIFIER', detections: [{ type: 'badge-no', count: 1 }] },
      ],
    });

    expect(types[0]?.custom).toBe(true);
  });

  it('merges a type reported twice and adds the counts', () => {
    const types = detectedTypes({
      sensitiveData: [
        { category: 'PERSONAL_INFORMATION', detections: [{ type: 'NAME', count: 2 }] },
        { category: 'PERSONAL_INFORMATION', detections: [{ type: 'NAME', count: 5 }] },
      ],
    });

    expect(types).toEqual([
      { type: 'NAME', category: 'PERSONAL_INFORMATION', count: 7, custom: false },
    ]);
  });

  it('keeps a custom identifier apart from a managed one of the same name', () => {
    const types = detectedTypes({
      sensitiveData: [
        { category: 'PERSONAL_INFORMATION', detections: [{ type: 'NAME', count: 1 }] },
      ],
      customDataIdentifiers: { detections: [{ name: 'NAME', count: 1 }] },
    });

    expect(types).toEqual([
      { type: 'NAME', category: 'CUSTOM_IDENTIFIER', count: 1, custom: true },
      { type: 'NAME', category: 'PERSONAL_INFORMATION', count: 1, custom: false },
    ]);
  });

  it.each([[null], [undefined]])('is empty for a %s result (policy findings)', (result) => {
    expect(detectedTypes(result)).toEqual([]);
  });
});
