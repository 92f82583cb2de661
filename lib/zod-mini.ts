/**
 * zod's functional API (`zod/mini`) with zod's English messages, for the event
 * schemas in `lib/`. `import { z } from 'zod'` loads every locale and every
 * method of every schema; this API lets a bundle keep only the schemas and
 * checks it uses (about 20 KB, where full zod is about 445 KB), which matters
 * for each Lambda function's package size and cold start.
 *
 * zod's classic API installs the English messages itself; the functional one
 * does not, and without them an issue reads only `Invalid input`. They are
 * installed here, once, so every message is the one the classic API gives.
 * `en` comes from `zod/locales` rather than `z.locales`: a bundler drops the
 * other locales only when the one used is imported by name.
 *
 * The classic API's `.transform`, `z.preprocess` and `ctx.addIssue` have no
 * counterpart of the same name here; {@link transformed}, {@link preprocess}
 * and {@link addIssue} are them, built from `pipe` and `transform`.
 *
 * @example
 * import * as z from './zod-mini';
 * const name = z.string().check(z.minLength(1));
 * const size = z.transformed(z.string(), (value) => Number(value));
 */
import { en } from 'zod/locales';
import type { core, output } from 'zod/mini';
import { config, pipe, transform } from 'zod/mini';

config(en());

export * from 'zod/mini';

/** Classic `schema.transform(fn)`: `schema` reads the input, then `fn` turns its output. */
export function transformed<S extends core.SomeType, O>(
  schema: S,
  fn: (value: output<S>, ctx: core.ParsePayload) => O,
) {
  return pipe(schema, transform(fn));
}

/** Classic `z.preprocess(fn, schema)`: `fn` turns the input, then `schema` reads the result. */
export function preprocess<S extends core.$ZodType>(
  fn: (value: unknown, ctx: core.ParsePayload) => unknown,
  schema: S,
) {
  return pipe(transform(fn), schema);
}

/**
 * Classic `ctx.addIssue({ code: 'custom', message, path })` inside a transform:
 * the value fails with `message`, at `path` below where the transform sits.
 */
export function addIssue(ctx: core.ParsePayload, message: string, path: PropertyKey[] = []): void {
  ctx.issues.push({ code: 'custom', message, input: ctx.value, path });
}
