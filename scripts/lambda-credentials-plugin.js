/**
 * An esbuild plugin for the functions' bundles: the SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`), which every client loads, is replaced by
 * `lib/lambda-credentials.ts`, which reads the credentials Lambda sets in the
 * environment, the one link of the chain a function ever reaches. The rest of the
 * chain (SSO, profiles, processes, web identity, metadata services and the clients
 * they bring) is about 100 KB of every bundle.
 */

const path = require('node:path');

function lambdaCredentialsPlugin({ serviceDir }) {
  const replacement = path.join(serviceDir, 'lib', 'lambda-credentials.ts');
  return {
    name: 'lambda-credentials',
    setup(build) {
      build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
        path: replacement,
      }));
    },
  };
}

module.exports = { lambdaCredentialsPlugin };
