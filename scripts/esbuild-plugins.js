/**
 * The esbuild plugins of the functions' bundles, as serverless-esbuild loads them
 * (`custom.esbuild.plugins` in serverless.yml): called with the serverless
 * instance, once its variables are resolved.
 */

const { configuredFiles } = require('./policy-loaders');
const { packedPolicyPlugin } = require('./packed-policy-plugin');
const { lambdaCredentialsPlugin } = require('./lambda-credentials-plugin');

module.exports = (serverless) => {
  const serviceDir = serverless.serviceDir ?? serverless.config.servicePath;
  return [
    packedPolicyPlugin({ serviceDir, files: configuredFiles(serverless.service) }),
    lambdaCredentialsPlugin({ serviceDir }),
  ];
};
