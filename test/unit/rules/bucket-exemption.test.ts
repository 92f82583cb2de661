import {
  ExemptionPatternError,
  exemptionAnnotation,
  parseExemptions,
} from '../../../rules/bucket-exemption';

describe('parseExemptions', () => {
  it('names the first pattern that matches a bucket', () => {
    const exemptions = parseExemptions('*-logs, cdk-*-assets-*, *-access-logs', 'exemptBuckets');

    expect(exemptions.exemptionOf('web-access-logs')).toBe('*-logs');
    expect(exemptions.exemptionOf('cdk-hnb659fds-assets-111122223333-eu-west-1')).toBe(
      'cdk-*-assets-*',
    );
    expect(exemptions.exemptionOf('web-logs-archive')).toBeUndefined();
  });

  it('matches a whole name, not a part of it', () => {
    const exemptions = parseExemptions('logs', 'exemptBuckets');

    expect(exemptions.exemptionOf('logs')).toBe('logs');
    expect(exemptions.exemptionOf('web-logs')).toBeUndefined();
    expect(exemptions.exemptionOf('logs-2')).toBeUndefined();
  });

  it('takes patterns in any case, as bucket names are lower case', () => {
    expect(parseExemptions(' Web-*-LOGS ', 'exemptBuckets').patterns).toEqual(['web-*-logs']);
  });

  it.each([undefined, '', ' ', ',, ,'])('exempts nothing for %j', (text) => {
    const exemptions = parseExemptions(text, 'exemptBuckets');

    expect(exemptions.patterns).toEqual([]);
    expect(exemptions.exemptionOf('anything')).toBeUndefined();
  });

  it.each([
    ['web_logs', 'the pattern "web_logs" may hold only what a bucket name holds'],
    ['logs/2024', 'the pattern "logs/2024" may hold only what a bucket name holds'],
    ['*', 'the pattern "*" would exempt every bucket'],
    ['**', 'the pattern "**" would exempt every bucket'],
    ['a*b*c*d*e*f*g*h*i*j', 'has 9 *; a pattern may have at most 8'],
    ['a'.repeat(257), 'is 257 characters long; at most 256 are allowed'],
  ])('refuses %j, naming the setting', (pattern, message) => {
    const parse = () => parseExemptions(`logs, ${pattern}`, '--exempt');

    expect(parse).toThrow(ExemptionPatternError);
    expect(parse).toThrow(`--exempt: `);
    expect(parse).toThrow(message);
  });

  it('accepts 8 stars and 256 characters', () => {
    expect(parseExemptions('a*b*c*d*e*f*g*h*i', 'x').patterns).toHaveLength(1);
    expect(parseExemptions('a'.repeat(256), 'x').patterns).toHaveLength(1);
  });

  it('quotes at most 64 characters of a refused pattern', () => {
    expect(() => parseExemptions(`${'a'.repeat(70)}_`, 'x')).toThrow(`"${'a'.repeat(64)}…"`);
    // 64 characters are quoted whole.
    expect(() => parseExemptions(`${'a'.repeat(63)}_`, 'x')).toThrow(`"${'a'.repeat(63)}_" may`);
  });

  it.each(['_logs', 'logs_', 'web_logs', 'Ünïcode'])(
    'refuses %j, whatever the place of the character',
    (pattern) => {
      expect(() => parseExemptions(pattern, 'x')).toThrow('may hold only what a bucket name holds');
    },
  );

  it('throws an error named as its class', () => {
    let caught: unknown;
    try {
      parseExemptions('web_logs', 'x');
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).name).toBe('ExemptionPatternError');
  });
});

describe('exemptionAnnotation', () => {
  it('names the pattern', () => {
    expect(exemptionAnnotation('*-logs')).toBe(
      'Exempt from declaring a classification: the name matches "*-logs" (exemptBuckets).',
    );
  });

  it('stays within the 256 characters of a Config annotation for the longest pattern', () => {
    const annotation = exemptionAnnotation('a'.repeat(256));

    expect(annotation.length).toBeLessThanOrEqual(256);
    expect(annotation).toContain(`"${'a'.repeat(64)}…"`);
  });
});
