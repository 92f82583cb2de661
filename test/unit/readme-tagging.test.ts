/**
 * `aws s3api put-bucket-tagging` replaces a bucket's whole tag set. A README
 * example that runs it without reading the current tags first would wipe the
 * bucket's other tags for whoever copies it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The shell blocks of the README that write a bucket's tags. */
function taggingBlocks(): string[] {
  return [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map(([, block = '']) => block)
    .filter((block) => /put-bucket-tagging|tag-resources/.test(block));
}

describe('README tagging examples', () => {
  it('show how to tag a bucket', () => {
    expect(taggingBlocks().length).toBeGreaterThan(0);
  });

  it('read the current tags before put-bucket-tagging replaces them', () => {
    const blind = taggingBlocks().filter((block) => {
      const put = block.indexOf('put-bucket-tagging');
      const get = block.indexOf('get-bucket-tagging');
      return put >= 0 && (get < 0 || get > put);
    });

    expect(blind).toEqual([]);
  });
});
