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

  it('fails without the function name Lambda sets, which a long sweep hands over to', () => {
    const env = clearEnv(['AWS_LAMBDA_FUNCTION_NAME']);
    process.env.AWS_REGION ??= 'us-east-1';
    try {
      jest.isolateModules(() => {
        expect(() => require('../../../handlers/check-bucket-tags')).toThrow(
          'AWS_LAMBDA_FUNCTION_NAME is required but not set',
        );
      });
    } finally {
      env.restore();
    }
  });

  it('builds its collaborators from the environment', () => {
    const env = clearEnv(['AWS_LAMBDA_FUNCTION_NAME']);
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'check-bucket-tags';
    try {
      jest.isolateModules(() => {
        const { handler } = require('../../../handlers/check-bucket-tags');
        expect(typeof handler).toBe('function');
      });
    } finally {
      env.restore();
    }
  });
});
