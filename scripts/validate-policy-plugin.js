/**
 * A local serverless plugin: `serverless package` (and so `serverless deploy`) fails,
 * before anything is bundled, when a policy or waivers file the functions are
 * configured with is missing or invalid. The message is the loader's own: the file,
 * the line, the path inside the file and what is wrong.
 *
 * The files are the values of POLICY_FILE and WAIVERS_FILE in the functions'
 * environments (from the stack's `policyFile` and `waiversFile` params), relative to
 * the service folder. Bundling then packs them into the functions
 * (`packed-policy-plugin.js`), which checks them again but only once the slow part
 * has begun.
 */

const path = require('node:path');
const { configuredFiles, policyLoaders } = require('./policy-loaders');

class ValidatePolicyPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      // The first step of packaging: a bad file stops it before the slow bundling.
      'package:initialize': () => this.validate(),
    };
  }

  validate() {
    const serviceDir = this.serverless.serviceDir ?? this.serverless.config.servicePath;
    const checks = configuredFiles(this.serverless.service);
    if (checks.length === 0) return;
    const loaders = policyLoaders(serviceDir);
    const problems = [];
    for (const { variable, loader, file } of checks) {
      // Relative to where serverless runs, so the message names the file as the user
      // wrote it (policies/team-policy.yaml) when run from the service folder.
      const where = path.relative(process.cwd(), path.resolve(serviceDir, file)) || file;
      try {
        loaders[loader](where);
      } catch (error) {
        problems.push(`${variable}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(problems.join('\n'));
    }
  }
}

module.exports = ValidatePolicyPlugin;
