import { mockClient } from 'aws-sdk-client-mock';
import { loadConfigEvent } from '../../support/config-events';
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

describe('checkBucketTags in an organisation', () => {
  it("answers a member account's rule through that account's member role", async () => {
    const env = clearEnv(['AWS_LAMBDA_FUNCTION_NAME', 'ORGANIZATION_ID', 'CENTRAL_ACCOUNT_ID']);
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'check-bucket-tags';
    process.env.ORGANIZATION_ID = 'o-abcdef1234';
    process.env.CENTRAL_ACCOUNT_ID = '999988887777';
    // The handler's modules are its own (isolated): mock the STS client it will use.
    let sts: ReturnType<typeof mockClient> | undefined;
    try {
      let handler: (event: unknown) => Promise<unknown> = async () => undefined;
      jest.isolateModules(() => {
        const isolated = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
        sts = mockClient(isolated.STSClient);
        sts.on(isolated.AssumeRoleCommand).rejects(
          Object.assign(new Error('not authorized to perform: sts:AssumeRole'), {
            name: 'AccessDenied',
          }),
        );
        ({ handler } = require('../../../handlers/check-bucket-tags'));
      });

      // The change event's account is 111122223333: the topic lookup there needs its role.
      await expect(handler(loadConfigEvent('change-compliant.json'))).rejects.toThrow(
        'could not assume arn:aws:iam::111122223333:role/BucketClassificationMember: AccessDenied',
      );
      expect(sts?.calls()[0]?.args[0].input).toMatchObject({
        RoleArn: 'arn:aws:iam::111122223333:role/BucketClassificationMember',
        RoleSessionName: 'bucket-classification-checkBucketTags',
      });
    } finally {
      sts?.restore();
      env.restore();
    }
  });
});
