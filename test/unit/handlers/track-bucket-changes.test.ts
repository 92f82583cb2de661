import { SettingsError } from '../../../lib/settings';
import { clearEnv } from '../../support/env';

const SETTINGS = {
  SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:999988887777:central-security',
  LEDGER_TABLE: 'bucket-classification-ledger',
  CONFIG_RULE_NAME: 'check-bucket-tags',
};

/** Loads the handler module afresh with these settings, as a Lambda cold start does. */
function coldStart(env: Record<string, string>): () => unknown {
  return () => {
    const cleared = clearEnv([...Object.keys(SETTINGS), 'AWS_REGION', 'POWERTOOLS_LOG_LEVEL']);
    Object.assign(process.env, { AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' }, env);
    try {
      let loaded: unknown;
      jest.isolateModules(() => {
        loaded = require('../../../handlers/track-bucket-changes');
      });
      return loaded;
    } finally {
      cleared.restore();
    }
  };
}

describe('trackBucketChanges cold start', () => {
  it.each(Object.keys(SETTINGS))('fails with a message naming a missing %s', (missing) => {
    const { [missing as keyof typeof SETTINGS]: _, ...rest } = SETTINGS;

    // A fresh module registry has its own SettingsError class: compare name and message.
    expect(coldStart(rest)).toThrow(
      expect.objectContaining({
        name: new SettingsError('').name,
        message: `${missing} is required but not set`,
      }),
    );
  });

  it('exports a handler once every setting is there', () => {
    const loaded = coldStart(SETTINGS)() as { handler?: unknown };

    expect(typeof loaded.handler).toBe('function');
  });

  it('ignores an event that is not a Config change, without calling AWS', async () => {
    const { handler } = coldStart(SETTINGS)() as {
      handler: (event: unknown) => Promise<unknown>;
    };

    await expect(handler({ 'detail-type': 'Scheduled Event' })).resolves.toEqual({
      outcome: 'ignored',
      reason: 'not a Config change event (Scheduled Event)',
    });
  });
});
