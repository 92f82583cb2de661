/**
 * `serverless package` checks the policy and waivers files the stack's params name,
 * with the project's own loaders, and fails with their message before bundling
 * anything. Each case packages a copy of the project offline, as CI does.
 */
import { packageStack } from '../support/package-stack';

/** A valid policy but for one level name, on line 7. */
const POLICY_WITH_UNKNOWN_LEVEL = `levels:
  - name: Public
  - name: Internal
  - name: Confidential
  - name: Restricted
categories:
  FINANCIAL_INFORMATION: Secret
unknownCategory: Restricted
customIdentifiers:
  default: Confidential
severity:
  levelGap: [Medium, High, Critical]
  forbidden: Critical
  unclassified: High
  publicExposureRaise: 1
`;

/** A waiver without its expiry, on line 2. */
const WAIVERS_WITHOUT_EXPIRY = `waivers:
  - bucket: acme-analytics-*
    types: [USA_SOCIAL_SECURITY_NUMBER]
    reason: Legacy HR export
    ticket: SEC-1234
    approver: jane.doe@example.com
`;

/** Packages with `options`; resolves with the error message, or '' if packaging worked. */
function packagingFailure(options: Parameters<typeof packageStack>[1]): string {
  try {
    packageStack('dev', options).remove();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('serverless package with the policy check', () => {
  it('fails on an invalid policy, naming the file, the line and the problem', () => {
    const failure = packagingFailure({
      files: { 'policies/team-policy.yaml': POLICY_WITH_UNKNOWN_LEVEL },
      params: { policyFile: 'policies/team-policy.yaml' },
    });

    expect(failure).toContain(
      'policies/team-policy.yaml:7: categories.FINANCIAL_INFORMATION: unknown level "Secret"',
    );
  }, 300_000);

  it('fails on a policy file that does not exist, naming it', () => {
    const failure = packagingFailure({ params: { policyFile: 'policies/no-such-policy.yml' } });

    expect(failure).toContain('policies/no-such-policy.yml: cannot read the file (ENOENT)');
  }, 300_000);

  it('fails on invalid waivers, naming the file, the line and the problem', () => {
    const failure = packagingFailure({
      files: { 'policies/team-waivers.yaml': WAIVERS_WITHOUT_EXPIRY },
      params: { waiversFile: 'policies/team-waivers.yaml' },
    });

    expect(failure).toContain('policies/team-waivers.yaml:2: waivers[0].expires: is required');
  }, 300_000);

  it('packages a valid policy given as JSON', () => {
    const failure = packagingFailure({
      files: {
        'policies/team-policy.json': JSON.stringify({
          levels: [
            { name: 'Public' },
            { name: 'Internal' },
            { name: 'Confidential' },
            { name: 'Restricted' },
          ],
          categories: { FINANCIAL_INFORMATION: 'Confidential' },
          unknownCategory: 'Restricted',
          customIdentifiers: { default: 'Confidential' },
          severity: {
            levelGap: ['Medium', 'High', 'Critical'],
            forbidden: 'Critical',
            unclassified: 'High',
            publicExposureRaise: 1,
          },
        }),
      },
      params: { policyFile: 'policies/team-policy.json' },
    });

    expect(failure).toBe('');
  }, 300_000);
});
