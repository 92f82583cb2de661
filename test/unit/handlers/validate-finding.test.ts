import { SettingsError } from '../../../lib/settings';
import { clearEnv, coldStart } from '../../support/env';
import { loadMacieEvent } from '../../support/fixtures';

describe('validateFinding cold start', () => {
  it.each([
    ['SECURITY_TOPIC_ARN', 'SECURITY_TOPIC_ARN is required but not set'],
    ['LEDGER_TABLE', 'LEDGER_TABLE is required but not set'],
  ])('fails with a message naming a missing %s', (missing, message) => {
    const env = clearEnv([missing]);
    process.env.SECURITY_TOPIC_ARN ??= 'arn:aws:sns:us-east-1:999988887777:central-security';
    process.env.LEDGER_TABLE ??= 'bucket-classification-ledger';
    if (missing === 'SECURITY_TOPIC_ARN') delete process.env.SECURITY_TOPIC_ARN;
    else delete process.env.LEDGER_TABLE;
    try {
      jest.isolateModules(() => {
        // A fresh module registry has its own SettingsError class: compare name and message.
        expect(() => require('../../../handlers/validate-finding')).toThrow(
          expect.objectContaining({ name: new SettingsError('').name, message }),
        );
      });
    } finally {
      env.restore();
    }
  });
});

describe('validateFinding handler', () => {
  it('ignores a policy finding without calling AWS', async () => {
    const names = ['SECURITY_TOPIC_ARN', 'LEDGER_TABLE'];
    const { handler } = coldStart(require.resolve('../../../handlers/validate-finding'), names, {
      SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:999988887777:central-security',
      LEDGER_TABLE: 'bucket-classification-ledger',
    }) as typeof import('../../../handlers/validate-finding');
    const event = loadMacieEvent('policy-bucket-public.json');

    const outcome = await handler(event as unknown as Parameters<typeof handler>[0]);

    expect(outcome.outcome).toBe('ignored');
  });
});
