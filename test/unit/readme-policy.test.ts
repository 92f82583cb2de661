/**
 * The README shows an excerpt of the default policy. A reader copies it as the
 * policy in force, so every value it states must be the default policy's.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DEFAULT_POLICY: unknown = parse(
  readFileSync(path.join(ROOT, 'policies', 'default-policy.yaml'), 'utf8'),
);

/** The README's YAML blocks that present themselves as the default policy. */
function defaultPolicyExcerpts(): unknown[] {
  return [...README.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map(([, block = '']) => block)
    .filter((block) => block.startsWith('# an excerpt of policies/default-policy.yaml'))
    .map((block) => parse(block) as unknown);
}

/** Each `path: value` the excerpt states that the policy does not hold. */
function disagreements(excerpt: unknown, policy: unknown, at = ''): string[] {
  if (excerpt === null || typeof excerpt !== 'object') {
    return Object.is(excerpt, policy)
      ? []
      : [`${at}: README ${JSON.stringify(excerpt)}, policy ${JSON.stringify(policy)}`];
  }
  if (policy === null || typeof policy !== 'object') {
    return [`${at}: README ${JSON.stringify(excerpt)}, policy ${JSON.stringify(policy)}`];
  }
  const excerptEntries = Object.entries(excerpt);
  if (Array.isArray(excerpt) !== Array.isArray(policy)) return [`${at}: not the same kind`];
  if (Array.isArray(excerpt) && excerpt.length !== (policy as unknown[]).length) {
    return [`${at}: README lists ${excerpt.length}, policy ${(policy as unknown[]).length}`];
  }
  if (excerptEntries.length === 0 && Object.keys(policy).length > 0) {
    return [`${at}: README empty, policy not`];
  }
  return excerptEntries.flatMap(([key, value]) =>
    disagreements(value, (policy as Record<string, unknown>)[key], `${at}.${key}`),
  );
}

describe('the README excerpt of the default policy', () => {
  it('is there', () => {
    expect(defaultPolicyExcerpts()).toHaveLength(1);
  });

  it('states only what the default policy holds', () => {
    expect(
      defaultPolicyExcerpts().flatMap((excerpt) => disagreements(excerpt, DEFAULT_POLICY)),
    ).toEqual([]);
  });

  it('would be caught stating another level', () => {
    const altered = { categories: { CREDENTIALS: 'Restricted' } };

    expect(disagreements(altered, DEFAULT_POLICY)).toEqual([
      '.categories.CREDENTIALS: README "Restricted", policy "forbidden"',
    ]);
  });

  it('would be caught giving a level an alias the policy does not', () => {
    const altered = {
      levels: [
        { name: 'Public' },
        { name: 'Internal', aliases: ['Private'] },
        { name: 'Confidential' },
        { name: 'Restricted' },
      ],
    };

    expect(disagreements(altered, DEFAULT_POLICY)).toEqual([
      '.levels.1.aliases: README ["Private"], policy undefined',
    ]);
  });
});
