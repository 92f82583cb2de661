import { loadPolicy, parsePolicy } from '../../../policies/load-policy';
import { evaluateFinding, type Verdict } from '../../../rules/verdict';
import { LENIENT_TWO_LEVEL_POLICY } from '../../support/policy-files';
import { declared, finding, KEYS } from './finding-builder';

const policy = loadPolicy();

function expectKind<K extends Verdict['kind']>(
  verdict: Verdict,
  kind: K,
): Extract<Verdict, { kind: K }> {
  expect(verdict.kind).toBe(kind);
  return verdict as Extract<Verdict, { kind: K }>;
}

describe('evaluateFinding', () => {
  describe('compliant buckets', () => {
    it('is compliant when every detected type is allowed at the declared level', () => {
      const found = finding({ managed: [{ type: 'NAME', count: 12 }, { type: 'ADDRESS' }] });

      const verdict = evaluateFinding(found, declared('Confidential'), policy, KEYS);

      const compliant = expectKind(verdict, 'compliant');
      expect(compliant.declaredLevel).toBe('Confidential');
      expect(compliant.detections.map((d) => d.type)).toEqual(['ADDRESS', 'NAME']);
    });

    it('allows data below the declared level', () => {
      const found = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(found, declared('Restricted'), policy, KEYS);

      expect(verdict.kind).toBe('compliant');
    });

    it('is compliant with nothing detected when the finding has no classification details', () => {
      const { classificationDetails: _, ...bare } = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(bare, declared('Public'), policy, KEYS);

      expect(expectKind(verdict, 'compliant').detections).toEqual([]);
    });

    it('matches the tag value case-insensitively after trimming', () => {
      const found = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(found, declared('  confidential '), policy, KEYS);

      expect(expectKind(verdict, 'compliant').declaredLevel).toBe('Confidential');
    });
  });

  describe('violations', () => {
    it.each([
      ['Confidential', 'USA_PASSPORT_NUMBER', 'Medium'],
      ['Internal', 'USA_PASSPORT_NUMBER', 'High'],
      ['Public', 'USA_PASSPORT_NUMBER', 'Critical'],
      ['Public', 'NAME', 'High'],
      ['Internal', 'NAME', 'Medium'],
    ])('in a bucket declared %s, %s is a violation of severity %s', (level, type, severity) => {
      const found = finding({ managed: [{ type }] });

      const verdict = evaluateFinding(found, declared(level), policy, KEYS);

      expect(expectKind(verdict, 'violation').severity).toBe(severity);
    });

    it('lists only the violating types, with category, requirement and count', () => {
      const found = finding({
        managed: [
          { type: 'NAME', count: 7 },
          { type: 'USA_SOCIAL_SECURITY_NUMBER', count: 3 },
        ],
      });

      const verdict = evaluateFinding(found, declared('Confidential'), policy, KEYS);

      const violation = expectKind(verdict, 'violation');
      expect(violation.violations).toEqual([
        expect.objectContaining({
          type: 'USA_SOCIAL_SECURITY_NUMBER',
          category: 'PERSONAL_INFORMATION',
          count: 3,
          requirement: { kind: 'level', level: 'Restricted', rank: 3 },
        }),
      ]);
      expect(violation.detections).toHaveLength(2);
    });

    it('takes the worst severity over the violating types', () => {
      const found = finding({
        managed: [
          { type: 'NAME' },
          { type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION' },
        ],
      });

      const verdict = evaluateFinding(found, declared('Internal'), policy, KEYS);

      expect(expectKind(verdict, 'violation').severity).toBe('High');
    });

    it('treats credentials as forbidden even in a Restricted bucket', () => {
      const found = finding({ managed: [{ type: 'AWS_CREDENTIALS', category: 'CREDENTIALS' }] });

      const verdict = evaluateFinding(found, declared('Restricted'), policy, KEYS);

      const violation = expectKind(verdict, 'violation');
      expect(violation.severity).toBe('Critical');
      expect(violation.violations[0]?.requirement).toEqual({ kind: 'forbidden' });
    });

    it('judges custom data identifiers by the custom default', () => {
      const found = finding({ custom: [{ name: 'employee-id', count: 40 }] });

      const verdict = evaluateFinding(found, declared('Internal'), policy, KEYS);

      const violation = expectKind(verdict, 'violation');
      expect(violation.severity).toBe('Medium');
      expect(violation.violations[0]).toEqual(
        expect.objectContaining({ type: 'employee-id', category: 'CUSTOM_IDENTIFIER', count: 40 }),
      );
    });

    it('judges an unknown type of a known category at its category level', () => {
      const found = finding({ managed: [{ type: 'FUTURE_BIOMETRIC_TEMPLATE' }] });

      expect(evaluateFinding(found, declared('Confidential'), policy, KEYS).kind).toBe('compliant');
      expect(evaluateFinding(found, declared('Internal'), policy, KEYS).kind).toBe('violation');
    });

    it('judges a type of an unknown category as Restricted', () => {
      const found = finding({
        managed: [{ type: 'FUTURE_GENOME_MARKER', category: 'GENETIC_INFORMATION' }],
      });

      const verdict = evaluateFinding(found, declared('Confidential'), policy, KEYS);

      const violation = expectKind(verdict, 'violation');
      expect(violation.severity).toBe('Medium');
      expect(violation.violations[0]?.because).toMatch(/^unknownCategory/);
    });

    it('reads severities from the policy gap table', () => {
      const narrow = parsePolicy(
        [
          'levels: [{name: A}, {name: B}, {name: C}, {name: D}]',
          'categories: {PERSONAL_INFORMATION: D}',
          'unknownCategory: D',
          'customIdentifiers: {default: D}',
          'severity: {levelGap: [Low, Medium, High, Critical], forbidden: Critical, unclassified: High, publicExposureRaise: 0}',
        ].join('\n'),
        'narrow.yaml',
      );
      const found = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(found, declared('A'), narrow, KEYS);

      expect(expectKind(verdict, 'violation').severity).toBe('High');
    });
  });

  describe('public exposure', () => {
    it('raises a violation in a publicly accessible bucket by one step', () => {
      const found = finding({ managed: [{ type: 'PHONE_NUMBER' }], effectivePermission: 'PUBLIC' });

      const verdict = evaluateFinding(found, declared('Public'), policy, KEYS);

      const violation = expectKind(verdict, 'violation');
      expect(violation.severity).toBe('Critical');
      expect(violation.publiclyAccessible).toBe(true);
    });

    it('caps the raise at Critical', () => {
      const found = finding({
        managed: [{ type: 'AWS_CREDENTIALS', category: 'CREDENTIALS' }],
        effectivePermission: 'PUBLIC',
      });

      const verdict = evaluateFinding(found, declared('Restricted'), policy, KEYS);

      expect(expectKind(verdict, 'violation').severity).toBe('Critical');
    });

    it.each([['NOT_PUBLIC'], ['UNKNOWN'], [null]])(
      'does not raise when the effective permission is %s',
      (permission) => {
        const found = finding({ managed: [{ type: 'NAME' }], effectivePermission: permission });

        const verdict = evaluateFinding(found, declared('Internal'), policy, KEYS);

        const violation = expectKind(verdict, 'violation');
        expect(violation.severity).toBe('Medium');
        expect(violation.publiclyAccessible).toBe(false);
      },
    );

    it('leaves a compliant finding in a public bucket compliant', () => {
      const found = finding({ managed: [{ type: 'NAME' }], effectivePermission: 'PUBLIC' });

      expect(evaluateFinding(found, declared('Confidential'), policy, KEYS).kind).toBe('compliant');
    });
  });

  describe('unclassified buckets', () => {
    it.each([
      ['no tags at all', {}],
      ['an empty tag', { DataClassification: '' }],
      ['a blank tag', { DataClassification: '   ' }],
    ])('is unclassified (missing) with %s', (_, tags) => {
      const found = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(found, tags, policy, KEYS);

      const unclassified = expectKind(verdict, 'unclassified');
      expect(unclassified.reason).toBe('missing');
      expect(unclassified.severity).toBe('High');
      expect('tagValue' in unclassified).toBe(false);
    });

    it('is unclassified (unknown) when the tag value is not a level, keeping the value', () => {
      const found = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(found, declared('Top Secret'), policy, KEYS);

      const unclassified = expectKind(verdict, 'unclassified');
      expect(unclassified.reason).toBe('unknown');
      expect(unclassified.tagValue).toBe('Top Secret');
    });

    it('is Critical when a forbidden type sits in an unclassified bucket', () => {
      const found = finding({ managed: [{ type: 'PGP_PRIVATE_KEY', category: 'CREDENTIALS' }] });

      const verdict = evaluateFinding(found, {}, policy, KEYS);

      expect(expectKind(verdict, 'unclassified').severity).toBe('Critical');
    });

    it('raises an unclassified public bucket by one step', () => {
      const found = finding({ managed: [{ type: 'NAME' }], effectivePermission: 'PUBLIC' });

      const verdict = evaluateFinding(found, {}, policy, KEYS);

      expect(expectKind(verdict, 'unclassified').severity).toBe('Critical');
    });

    it.each([
      ['without the tag', {}],
      ['with a value that is not a level', declared('Top Secret')],
    ])('judges social security numbers %s as Critical, as a Public bucket would be', (_, tags) => {
      const found = finding({ managed: [{ type: 'USA_SOCIAL_SECURITY_NUMBER' }] });

      const verdict = evaluateFinding(found, tags, policy, KEYS);

      expect(expectKind(verdict, 'unclassified').severity).toBe('Critical');
    });

    it('keeps the unclassified severity when the lowest level would be judged milder', () => {
      const found = finding({ managed: [{ type: 'NAME' }] });

      const atPublic = evaluateFinding(found, declared('Public'), policy, KEYS);
      const untagged = evaluateFinding(found, {}, policy, KEYS);

      expect(expectKind(atPublic, 'violation').severity).toBe('High');
      expect(expectKind(untagged, 'unclassified').severity).toBe('High');
    });

    it('takes the policy unclassified severity when it is worse than the lowest level', () => {
      const strict = parsePolicy(
        [
          'levels: [{name: A}, {name: B}]',
          'categories: {PERSONAL_INFORMATION: B}',
          'unknownCategory: B',
          'customIdentifiers: {default: B}',
          'severity: {levelGap: [Low], forbidden: Critical, unclassified: Critical, publicExposureRaise: 0}',
        ].join('\n'),
        'strict.yaml',
      );
      const found = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(found, {}, strict, KEYS);

      expect(expectKind(verdict, 'unclassified').severity).toBe('Critical');
    });

    it('raises the lowest-level severity of an unclassified public bucket by one step', () => {
      const lenient = parsePolicy(
        [
          'levels: [{name: A}, {name: B}, {name: C}]',
          'categories: {PERSONAL_INFORMATION: B, FINANCIAL_INFORMATION: C}',
          'unknownCategory: C',
          'customIdentifiers: {default: B}',
          'severity: {levelGap: [Low, Medium], forbidden: Critical, unclassified: Low, publicExposureRaise: 1}',
        ].join('\n'),
        'lenient.yaml',
      );
      const found = finding({
        managed: [{ type: 'BANK_ACCOUNT_NUMBER', category: 'FINANCIAL_INFORMATION' }],
        effectivePermission: 'PUBLIC',
      });

      const verdict = evaluateFinding(found, {}, lenient, KEYS);

      expect(expectKind(verdict, 'unclassified').severity).toBe('High');
    });

    it('lists the types the lowest level does not allow, with the level each needs', () => {
      const found = finding({
        managed: [
          { type: 'USA_SOCIAL_SECURITY_NUMBER', count: 3 },
          { type: 'NAME', count: 2 },
        ],
      });

      const verdict = evaluateFinding(found, {}, policy, KEYS);

      expect(
        expectKind(verdict, 'unclassified').violations.map((v) => [
          v.type,
          v.requirement.kind === 'level' ? v.requirement.level : 'forbidden',
          v.count,
        ]),
      ).toEqual([
        ['NAME', 'Confidential', 2],
        ['USA_SOCIAL_SECURITY_NUMBER', 'Restricted', 3],
      ]);
    });

    it('lists no violations for an unclassified bucket whose types the lowest level allows', () => {
      const lenient = parsePolicy(LENIENT_TWO_LEVEL_POLICY, 'lenient.yaml');
      const found = finding({ managed: [{ type: 'NAME' }] });

      const verdict = evaluateFinding(found, {}, lenient, KEYS);

      const unclassified = expectKind(verdict, 'unclassified');
      expect(unclassified.violations).toEqual([]);
      expect(unclassified.severity).toBe('High');
    });

    it('reads the classification from the configured tag key', () => {
      const found = finding({ managed: [{ type: 'NAME' }] });
      const keys = { ...KEYS, classification: 'data-level' };

      const verdict = evaluateFinding(
        found,
        { 'data-level': 'Confidential', DataClassification: 'Public' },
        policy,
        keys,
      );

      expect(verdict.kind).toBe('compliant');
    });
  });

  describe('ignored findings', () => {
    it('ignores policy findings, naming the type', () => {
      const found = finding({ type: 'Policy:IAMUser/S3BucketPublic' });

      const verdict = evaluateFinding(found, declared('Public'), policy, KEYS);

      expect(expectKind(verdict, 'ignored').reason).toContain('Policy:IAMUser/S3BucketPublic');
    });

    it('ignores archived findings', () => {
      const found = finding({ managed: [{ type: 'NAME' }], archived: true });

      const verdict = evaluateFinding(found, declared('Public'), policy, KEYS);

      expect(expectKind(verdict, 'ignored').reason).toBe('archived finding');
    });
  });

  describe('sample findings', () => {
    it('judges sample findings and marks them as samples', () => {
      const found = finding({
        managed: [{ type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION' }],
        sample: true,
      });

      const verdict = evaluateFinding(found, declared('Internal'), policy, KEYS);

      const violation = expectKind(verdict, 'violation');
      expect(violation.sample).toBe(true);
      expect(violation.severity).toBe('High');
    });
  });

  describe('team', () => {
    it('names the team from the Team tag', () => {
      const tags = declared('Internal', {
        Team: ' payments ',
        SupportSNSTopic: 'arn:aws:sns:eu-west-1:111122223333:payments-alerts',
      });

      const verdict = evaluateFinding(finding({ managed: [{ type: 'NAME' }] }), tags, policy, KEYS);

      expect(verdict.kind !== 'ignored' && verdict.team).toBe('payments');
    });
  });
});
