/**
 * Runs the command line in-process (or, bundled, in a process of its own), captures what it
 * prints and orders its results, for CLI tests.
 */
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { type BuildOptions, buildSync } from 'esbuild';
import { main } from '../../bin/bucket-classification';

const { cliBuildOptions } = require('../../scripts/build-cli.js') as {
  cliBuildOptions: (outdir: string) => BuildOptions;
};

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stderrIsTty: false,
  });
  return { code, stdout, stderr };
}

/** RFC 4180 cells: quoted cells may hold commas, quotes (doubled) and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (quoted) {
      if (char !== '"') cell += char;
      else if (text.charAt(i + 1) === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/**
 * Each result with the name of its source file and its place (from 1) among the results
 * of that file, for expectations that name findings as "file #n" rather than by line.
 */
export function numberedByFile<T extends { readonly source: string }>(
  results: readonly T[],
): Array<{ file: string; n: number; result: T }> {
  const seen = new Map<string, number>();
  return results.map((result) => {
    const file = path.basename(result.source.replace(/:\d+$/, ''));
    const n = (seen.get(file) ?? 0) + 1;
    seen.set(file, n);
    return { file, n, result };
  });
}

/** What a run of the built command line printed, and how it ended. */
export interface BuiltCliRun {
  /** The exit code; `null` when the process was killed (see `timedOut`). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface BuiltCliOptions {
  /** Node options before the script, e.g. `--max-old-space-size=128`. */
  readonly nodeArgs?: readonly string[];
  /** Killed after this long (default 60 s): a hang fails the test rather than the suite. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** A file sent to standard input (default: none, stdin closed). */
  readonly stdinFile?: string;
}

/** Output past this is not kept: a run that floods stdout cannot exhaust the test's memory. */
const MAX_CAPTURE = 16 * 1024 * 1024;

let bundled: string | undefined;

/** Removes the bundle {@link builtCli} made; for `afterAll`. */
export function removeBuiltCli(): void {
  if (bundled) rmSync(path.dirname(bundled), { recursive: true, force: true });
  bundled = undefined;
}

/**
 * The command line bundled once per test file as `npm run build` bundles it (a
 * user runs the built `dist/bin`, in a process of its own), beside copies of the
 * shipped policy and waivers that it loads by default. The folder is under
 * node_modules/ so that the AWS SDK, left out of the bundle, is found as from dist/.
 */
export function builtCli(): string {
  if (bundled) return bundled;
  const root = path.join(__dirname, '..', '..');
  const cache = path.join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'bucket-classification-cli-'));
  buildSync(cliBuildOptions(dir));
  for (const file of ['default-policy.yaml', 'waivers.yaml']) {
    copyFileSync(path.join(root, 'policies', file), path.join(dir, file));
  }
  bundled = path.join(dir, 'bucket-classification.js');
  return bundled;
}

/** Runs the bundled command line in a child process. */
export function runBuiltCli(
  args: readonly string[],
  options: BuiltCliOptions = {},
): Promise<BuiltCliRun> {
  const script = builtCli();
  return new Promise((resolve, reject) => {
    const stdin = options.stdinFile === undefined ? 'ignore' : openSync(options.stdinFile, 'r');
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
      env: { ...process.env, ...options.env },
      stdio: [stdin, 'pipe', 'pipe'],
    });
    if (typeof stdin === 'number') closeSync(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
