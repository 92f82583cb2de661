import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Where a file shipped in `policies/` (the default policy, the waivers) is, seen
 * from the folder of the running module, so that every way of running reads the
 * one file a user edits, never a copy made at build time:
 *
 * - the sources (`policies/`) and the bundled command line have it beside them;
 * - a function's bundle runs from `handlers/` of its task root, with `policies/`
 *   packaged there;
 * - the built command line runs from `dist/bin/`, two levels below the
 *   package's `policies/`.
 *
 * When it is in none of these, the path beside the module, so an error names a
 * file that makes sense.
 */
export function shippedFile(moduleDir: string, name: string): string {
  const candidates = [
    path.join(moduleDir, name),
    path.join(moduleDir, '..', 'policies', name),
    path.join(moduleDir, '..', '..', 'policies', name),
  ];
  return candidates.find((file) => existsSync(file)) ?? path.join(moduleDir, name);
}
