import { SettingsError } from '../../../lib/settings';
import { coldStart } from '../../support/env';

const HANDLER = require.resolve('../../../handlers/track-bucket-changes');
const SETTINGS = {
  SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:999988887777:central-security',
  LEDGER_TABLE: 'bucket-classification-ledger',
  CONFIG_RULE_NAME: 'check-bucket-tags',
};
const NAMES = Object.keys(SETTINGS);

type HandlerModule = typeof import('../../../handlers/track-bucket-changes');

describe('trackBucketChanges cold start', () => {
  it.each(NAMES)('fails with a message naming a missing %s', (missing) => {
    const { [missing as keyof typeof SETTINGS]: _, ...rest } = SETTINGS;

    // A fresh module registry has its own SettingsError class: compare name and message.
    expect(() => coldStart(HANDLER, NAMES, rest)).toThrow(
      expect.objectContaining({
        name: new SettingsError('').name,
        message: `${missing} is required but not set`,
      }),
    );
  });

  it('ignores an event that is not a Config change, without calling AWS', async () => {
    const { handler } = coldStart(HANDLER, NAMES, SETTINGS) as HandlerModule;

    await expect(handler({ 'detail-type': 'Scheduled Event' })).resolves.toEqual({
      outcome: 'ignored',
      reason: 'not a Config change event (Scheduled Event)',
    });
  });
});
