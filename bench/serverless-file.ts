import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** What the bench reads of serverless.yml. */
export interface ServerlessFile {
  readonly params: { readonly default: Readonly<Record<string, unknown>> };
  readonly custom: { readonly esbuild: Readonly<Record<string, unknown>> };
  readonly functions: Readonly<
    Record<string, { readonly handler: string; readonly memorySize?: number }>
  >;
}

/** serverless.yml of the repository at `root` (variables left as written). */
export function readServerless(root: string): ServerlessFile {
  const file = path.join(root, 'serverless.yml');
  const parsed = parse(readFileSync(file, 'utf8')) as Partial<ServerlessFile> | null;
  if (!parsed?.functions || !parsed.custom?.esbuild || !parsed.params?.default) {
    throw new Error(`${file}: expected params.default, custom.esbuild and functions`);
  }
  return parsed as ServerlessFile;
}

/** A function's memory (MB). */
export function memoryOf(serverless: ServerlessFile, name: string): number {
  const memory = serverless.functions[name]?.memorySize;
  if (typeof memory !== 'number')
    throw new Error(`serverless.yml: functions.${name}.memorySize is not a number`);
  return memory;
}

/** A default stage parameter (params.default.<name>), as text. */
export function paramOf(serverless: ServerlessFile, name: string): string {
  const value = serverless.params.default[name];
  if (value === undefined) throw new Error(`serverless.yml: params.default.${name} is not set`);
  return String(value);
}
