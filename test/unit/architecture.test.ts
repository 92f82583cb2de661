import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Which top-level folders each folder may import (ARCHITECTURE: "Where things live"). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  rules: ['rules', 'policies'],
  policies: ['policies'],
  lib: ['lib', 'policies'],
  flows: ['flows', 'rules', 'policies', 'lib'],
  handlers: ['handlers', 'flows', 'rules', 'policies', 'lib'],
  bin: ['bin', 'flows', 'rules', 'policies', 'lib'],
};

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map(
    (match) => match[1] ?? '',
  );
}

const cases = Object.keys(MAY_IMPORT).flatMap((folder) =>
  sourceFiles(path.join(ROOT, folder)).map((file) => [path.relative(ROOT, file), folder] as const),
);

describe('architecture', () => {
  it('finds the source files it checks', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases)('%s imports only what its folder may', (file, folder) => {
    const allowed = MAY_IMPORT[folder] ?? [];
    for (const specifier of importsOf(path.join(ROOT, file))) {
      if (specifier.startsWith('.')) {
        const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier));
        const top = target.split(path.sep)[0] ?? '';
        expect({ file, imports: specifier, folder: top, allowed: allowed.includes(top) }).toEqual(
          expect.objectContaining({ allowed: true }),
        );
      } else if (folder === 'rules') {
        // Rules are pure: Node built-ins and the AWS SDK have no place there.
        expect({ file, imports: specifier }).toEqual({
          file,
          imports: expect.stringMatching(/^$/),
        });
      }
    }
  });
});
