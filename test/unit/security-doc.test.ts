/**
 * docs/security.md names, for each claim, the test that shows it as
 * `file › test name`. Each named file must exist and hold a test (or describe
 * block) by that name, so the page cannot point at a test that is gone.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const page = readFileSync(path.join(ROOT, 'docs/security.md'), 'utf8');

/** Every `` `dir/file.test.ts › title` `` and the `` `› title` `` citations that follow it. */
function citations(): Array<{ file: string; title?: string }> {
  const found: Array<{ file: string; title?: string }> = [];
  let file: string | undefined;
  for (const [, code = ''] of page.matchAll(/`([^`]+)`/g)) {
    const named = /^((?:unit|integration)\/[\w./-]+\.test\.ts)(?: › (.+))?$/.exec(code);
    if (named) {
      file = named[1] as string;
      found.push({ file, ...(named[2] ? { title: named[2] } : {}) });
      continue;
    }
    const more = /^› (.+)$/.exec(code);
    if (more && file) found.push({ file, title: more[1] as string });
  }
  return found;
}

describe('docs/security.md', () => {
  const cited = citations();

  it('cites tests', () => {
    expect(cited.length).toBeGreaterThan(30);
  });

  it.each(cited)('cites $file › $title', ({ file, title }) => {
    const source = path.join(ROOT, 'test', file);
    expect(existsSync(source)).toBe(true);
    if (title === undefined) return;
    const text = readFileSync(source, 'utf8').replace(/\s*\n\s*/g, ' ');
    expect(text).toContain(title);
  });
});
