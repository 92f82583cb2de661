import { clearEnv } from '../../support/env';

describe('checkBucketTags cold start', () => {
  it('fails with a message naming a missing setting', () => {
    const env = clearEnv(['AWS_REGION']);
    try {
      jest.isolateModules(() => {
        expect(() => require('../../../handlers/check-bucket-tags')).toThrow(
          'AWS_REGION is required but not set',
        );
      });
    } finally {
      env.restore();
    }
  });

  it('builds its collaborators from the environment', () => {
    process.env.AWS_REGION ??= 'us-east-1';
    jest.isolateModules(() => {
      const { handler } = require('../../../handlers/check-bucket-tags');
      expect(typeof handler).toBe('function');
    });
  });
});
