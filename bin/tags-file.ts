import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from './usage-error';

/** Bucket name -> tags, from `--tags FILE`. */
export type TagsByBucket = ReadonlyMap<string, Readonly<Record<string, string>>>;

const tagsFileSchema = z.record(
  z.string().min(1),
  z.record(z.string().min(1), z.string(), 'expected an object of tag key -> string value'),
  'expected an object of bucket name -> { tag key: value }',
);

/**
 * Reads a tags file: `{ "<bucket>": { "<key>": "<value>" } }`. These tags are
 * laid over the ones a finding carries (discovery results and many exports
 * carry none).
 */
export function loadTagsFile(file: string): TagsByBucket {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? `invalid JSON: ${error.message}`
        : `cannot read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
    throw new UsageError(`--tags ${file}: ${reason}`, { cause: error });
  }
  const parsed = tagsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    );
    throw new UsageError(`--tags ${file}: ${problems.join('; ')}`);
  }
  return new Map(Object.entries(parsed.data));
}
