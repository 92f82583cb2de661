import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The repository root: the nearest folder above this module holding serverless.yml (the
 * bench runs compiled from dist/bench/ and, in tests, from bench/).
 */
export function repositoryRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'serverless.yml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no serverless.yml in ${from} or any folder above it`);
    dir = parent;
  }
  return dir;
}
