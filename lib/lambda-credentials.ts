import { fromEnv } from '@aws-sdk/credential-provider-env';

type CredentialsProvider = ReturnType<typeof fromEnv>;

/**
 * The credentials of a packaged function: its execution role's, which Lambda puts
 * in the environment of every execution environment (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
 *
 * The functions' bundles use this in place of the SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`: environment, SSO, profiles, processes, web
 * identity, container and instance metadata), of which Lambda only ever reaches the
 * first link, and which is about 100 KB of every bundle (see
 * `scripts/lambda-credentials-plugin.js`). The command line keeps the whole chain.
 * Member accounts are still reached through STS `AssumeRole` with these credentials.
 */
export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): CredentialsProvider {
  const fromEnvironment = fromEnv(init);
  return async () => {
    try {
      return await fromEnvironment();
    } catch (error) {
      throw new Error(
        'No AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): ' +
          'Lambda sets them to the function role’s, and the packaged functions look nowhere else.',
        { cause: error },
      );
    }
  };
}
