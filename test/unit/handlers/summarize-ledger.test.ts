import { SettingsError } from '../../../lib/settings';
import { clearEnv } from '../../support/env';

const SETTINGS = [
  'SECURITY_TOPIC_ARN',
  'LEDGER_TABLE',
  'METRICS_NAMESPACE',
  'REMINDER_AFTER_HOURS',
];

describe('summarizeLedger cold start', () => {
  it.each([
    [{ LEDGER_TABLE: 'ledger' }, 'SECURITY_TOPIC_ARN is required but not set'],
    [
      { SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:999988887777:central-security' },
      'LEDGER_TABLE is required but not set',
    ],
    [
      {
        SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:999988887777:central-security',
        LEDGER_TABLE: 'ledger',
        METRICS_NAMESPACE: 'AWS/S3',
      },
      'METRICS_NAMESPACE must be',
    ],
  ])('fails with a message naming the setting (%j)', (values, message) => {
    const env = clearEnv(SETTINGS);
    Object.assign(process.env, values);
    try {
      jest.isolateModules(() => {
        // A fresh module registry has its own SettingsError class: compare name and message.
        expect(() => require('../../../handlers/summarize-ledger')).toThrow(
          expect.objectContaining({
            name: new SettingsError('').name,
            message: expect.stringContaining(message),
          }),
        );
      });
    } finally {
      env.restore();
    }
  });

  it('refuses an input that names no job, before touching AWS', async () => {
    const env = clearEnv(SETTINGS);
    process.env.SECURITY_TOPIC_ARN = 'arn:aws:sns:us-east-1:999988887777:central-security';
    process.env.LEDGER_TABLE = 'ledger';
    try {
      let handler: ((event: unknown) => Promise<unknown>) | undefined;
      jest.isolateModules(() => {
        ({ handler } = require('../../../handlers/summarize-ledger'));
      });
      await expect(handler?.({ job: 'everything' })).rejects.toThrow(
        'expected the input {"job": "digest"} or {"job": "metrics"}; got {"job":"everything"}',
      );
    } finally {
      env.restore();
    }
  });
});
