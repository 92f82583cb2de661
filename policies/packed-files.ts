/**
 * What a packaged function's `function-files.ts` becomes: the policy and waivers
 * files packaging validated, packed (see `packed-policy.ts`) under the names the
 * functions' settings give them, rebuilt when a function asks for one.
 */
import * as path from 'node:path';
import {
  type PackedPolicy,
  type PackedWaivers,
  unpackPolicy,
  unpackWaivers,
} from './packed-policy';
import type { Policy } from './policy';
import type { Waivers } from './waiver';

/** Every file packed, by its name as the settings give it (relative to the task root). */
export interface PackedFiles {
  readonly policies: Readonly<Record<string, PackedPolicy>>;
  readonly waivers: Readonly<Record<string, PackedWaivers>>;
  /** The names of the shipped files, used when a setting names none. */
  readonly defaults: { readonly policy: string; readonly waivers: string };
}

/** A setting's file name as a key: `./policies/a.yaml` and `policies/a.yaml` are one file. */
export function packedName(file: string): string {
  return path.posix.normalize(file.replaceAll('\\', '/'));
}

export function packedFileReader(files: PackedFiles): {
  functionPolicy(file: string | undefined): Policy;
  functionWaivers(file: string | undefined): Waivers;
} {
  return {
    functionPolicy: (file) =>
      unpackPolicy(packedFile(files.policies, file ?? files.defaults.policy, 'POLICY_FILE')),
    functionWaivers: (file) =>
      unpackWaivers(packedFile(files.waivers, file ?? files.defaults.waivers, 'WAIVERS_FILE')),
  };
}

function packedFile<T>(packed: Readonly<Record<string, T>>, file: string, setting: string): T {
  const found = packed[packedName(file)];
  if (found !== undefined) return found;
  const names = Object.keys(packed).join(', ') || 'none';
  throw new Error(
    `${setting} is "${file}", which was not checked and packed with this function (packed: ${names}). ` +
      'The files are checked and packed when the stack is packaged, from its policyFile and ' +
      'waiversFile parameters: change the parameter and deploy again.',
  );
}
