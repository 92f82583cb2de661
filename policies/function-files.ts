/**
 * The policy and waivers a function judges with: the files its POLICY_FILE and
 * WAIVERS_FILE settings name, or the ones shipped in `policies/`.
 *
 * Run from the sources (tests, local runs), this module reads and validates them.
 * In a packaged function it is replaced, at bundling, by one that holds them
 * already validated and packed (`scripts/packed-policy-plugin.js`, see
 * `packed-files.ts`): the functions then carry neither the YAML parser nor the
 * files' schemas, and start sooner. Both answer the same for the same file.
 */
import { DEFAULT_POLICY_FILE, loadPolicy } from './load-policy';
import { DEFAULT_WAIVERS_FILE, loadWaivers } from './load-waivers';
import type { Policy } from './policy';
import type { Waivers } from './waiver';

/** @throws PolicyError naming the file, line and problem when it cannot be used. */
export function functionPolicy(file: string | undefined): Policy {
  return loadPolicy(file ?? DEFAULT_POLICY_FILE);
}

/** @throws WaiversError naming the file, line and problem when it cannot be used. */
export function functionWaivers(file: string | undefined): Waivers {
  return loadWaivers(file ?? DEFAULT_WAIVERS_FILE);
}
