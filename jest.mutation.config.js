/**
 * The unit project of jest.config.js as a whole config of its own, for StrykerJS
 * (stryker.config.mjs). Stryker lays its settings over the file's, and a setting it
 * is given as undefined is lost on the way to its test runners, so a config with
 * `projects` would keep them all: the integration project's global setup would then
 * start moto server for every mutant.
 */
const { projects, testTimeout } = require('./jest.config.js');

const { displayName: _unit, ...unit } = projects.find((project) => project.displayName === 'unit');

module.exports = { ...unit, testTimeout };
