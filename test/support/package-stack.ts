/**
 * Runs `serverless package` (osls + serverless-esbuild) the way CI must: offline, with
 * no AWS credentials or configuration, in a copy of the project, so it neither touches a
 * developer's .serverless/.esbuild folders nor clashes with another test packaging at the
 * same time (serverless-esbuild always works inside the service folder).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTempDir, type TempDir } from './temp-dir';
import { readZip, type ZipEntry } from './zip-archive';

const ROOT = path.resolve(__dirname, '../..');
const SERVERLESS_CLI = path.join(ROOT, 'node_modules/osls/bin/serverless.js');
// One way to copy the project for packaging and deploying: the rehearsal script's
// (a plain CommonJS script, so it has no type declarations).
const { copyProject } = require('../../scripts/deploy-rehearsal.js') as {
  copyProject(into: string): string;
};

export interface PackagedStack {
  /** Where the packaging run worked; removed by `remove()`. */
  readonly work: TempDir;
  /** The folder `serverless package` wrote (template and zips). */
  readonly output: string;
  template<T>(): T;
  zipEntries(functionName: string): ZipEntry[];
  /** Extracts a function zip into a folder, as Lambda lays out its task root. */
  extract(functionName: string, into: string): void;
  remove(): void;
}

/** The environment of a machine with no AWS credentials or configuration at all. */
export function offlineEnv(scratch: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  const nowhere = path.join(scratch, 'no-such-aws-file');
  return {
    ...env,
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Longer than any packaging takes on a busy 2-core machine (about a minute). */
const RUN_NODE_TIMEOUT_MS = 300_000;

/** Runs node with `args`; a failure carries the command's output. */
export function runNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(process.execPath, args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: 'pipe',
      // A hung run (it has happened once, on a busy machine) fails with its output
      // rather than holding the suite until CI gives up.
      timeout: RUN_NODE_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
  } catch (error) {
    const { stdout, stderr, signal } = error as {
      stdout?: string;
      stderr?: string;
      signal?: string;
    };
    const how =
      signal === 'SIGKILL' ? `was stopped after ${RUN_NODE_TIMEOUT_MS / 1000} s` : 'failed';
    throw new Error(`node ${args.join(' ')} ${how} in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

export interface PackageOptions {
  /** Files written into the copy before packaging, by path inside the project. */
  readonly files?: Readonly<Record<string, string>>;
  /** Stack params given on the command line (`--param key=value`). */
  readonly params?: Readonly<Record<string, string>>;
}

/**
 * Packages a copy of the project. When packaging fails, the copy is removed and the
 * error carries serverless' output.
 */
export function packageStack(stage = 'dev', options: PackageOptions = {}): PackagedStack {
  const work = createTempDir();
  const output = path.join(work.path, 'package');
  try {
    const service = copyProject(work.path);
    for (const [file, content] of Object.entries(options.files ?? {})) {
      mkdirSync(path.dirname(path.join(service, file)), { recursive: true });
      writeFileSync(path.join(service, file), content);
    }
    const params = Object.entries(options.params ?? {}).flatMap(([name, value]) => [
      '--param',
      `${name}=${value}`,
    ]);
    runNode(
      [SERVERLESS_CLI, 'package', '--stage', stage, '--package', output, ...params],
      service,
      offlineEnv(work.path),
    );
  } catch (error) {
    work.remove();
    throw error;
  }
  const zipEntries = (functionName: string): ZipEntry[] =>
    readZip(readFileSync(path.join(output, `${functionName}.zip`)));
  return {
    work,
    output,
    template: <T>() =>
      JSON.parse(
        readFileSync(path.join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
      ) as T,
    zipEntries,
    extract(functionName, into) {
      for (const entry of zipEntries(functionName)) {
        const file = path.join(into, entry.name);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, entry.content());
      }
    },
    remove: () => work.remove(),
  };
}

/** How long an invocation may run, for the context's `getRemainingTimeInMillis`. */
export interface InvokeOptions {
  /** Default 300 s, the longest of the stack's functions. */
  readonly timeoutMs?: number;
}

/**
 * Invokes a packaged handler as Lambda would: its own Node process, the extracted
 * zip as working directory, settings from the environment, the event on stdin,
 * and a context whose `getRemainingTimeInMillis` counts down from `timeoutMs`.
 * Resolves with what the handler returned; rejects with its error output.
 */
export async function invokePackaged(
  taskRoot: string,
  handlerModule: string,
  event: unknown,
  env: NodeJS.ProcessEnv,
  { timeoutMs = 300_000 }: InvokeOptions = {},
): Promise<unknown> {
  const script = `
    const { handler } = require(${JSON.stringify(`./${handlerModule}`)});
    const deadline = Date.now() + ${Number(timeoutMs)};
    const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
    let input = '';
    process.stdin.on('data', (chunk) => { input += chunk; });
    process.stdin.on('end', () => handler(JSON.parse(input), context).then(
      (result) => process.stdout.write(JSON.stringify(result)),
      (error) => { process.stderr.write(String((error && error.stack) || error)); process.exit(3); },
    ));`;
  return JSON.parse(await runScript(taskRoot, handlerModule, script, event, env));
}

/**
 * Invokes a packaged handler like {@link invokePackaged}, with the event given as
 * its JSON text (so a test can hand over an event too deep for `JSON.stringify`),
 * and resolves with what it returned and the lines it wrote to stderr (where the
 * function's error log lines go).
 */
export async function invokePackagedWithLogs(
  taskRoot: string,
  handlerModule: string,
  eventJson: string,
  env: NodeJS.ProcessEnv,
): Promise<{ result: unknown; stderr: string[] }> {
  const script = `
    const { handler } = require(${JSON.stringify(`./${handlerModule}`)});
    let input = '';
    process.stdin.on('data', (chunk) => { input += chunk; });
    process.stdin.on('end', () => handler(JSON.parse(input)).then(
      (result) => process.stdout.write(JSON.stringify(result)),
      (error) => { process.stderr.write(String((error && error.stack) || error)); process.exit(3); },
    ));`;
  const child = spawn(process.execPath, ['-e', script], { cwd: taskRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(eventJson);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`${handlerModule} failed (exit ${code}): ${stderr}`);
  return { result: JSON.parse(stdout), stderr: stderr.split('\n').filter((line) => line !== '') };
}

/**
 * Invokes a packaged handler for many events in one process, as one warm Lambda
 * container takes them one after another. Resolves with each result, or
 * `{ error }` for an invocation that threw.
 */
export async function invokePackagedWarm(
  taskRoot: string,
  handlerModule: string,
  events: readonly unknown[],
  env: NodeJS.ProcessEnv,
): Promise<Array<unknown | { error: string }>> {
  const script = `
    const { handler } = require(${JSON.stringify(`./${handlerModule}`)});
    let input = '';
    process.stdin.on('data', (chunk) => { input += chunk; });
    process.stdin.on('end', async () => {
      const results = [];
      for (const event of JSON.parse(input)) {
        try { results.push(await handler(event)); }
        catch (error) { results.push({ error: String((error && error.message) || error) }); }
      }
      process.stdout.write(JSON.stringify(results));
    });`;
  return JSON.parse(await runScript(taskRoot, handlerModule, script, events, env));
}

/** Runs a Node script in the task root with `input` as JSON on stdin; resolves with its stdout. */
async function runScript(
  taskRoot: string,
  handlerModule: string,
  script: string,
  input: unknown,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const child = spawn(process.execPath, ['-e', script], { cwd: taskRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(JSON.stringify(input));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`${handlerModule} failed (exit ${code}): ${stderr}`);
  return stdout;
}

/** What one invocation of a warm container gave back, and how long the handler took. */
export type WarmResult =
  | { readonly result: unknown; readonly ms: number }
  | { readonly error: string; readonly ms: number };

/** A packaged handler loaded once in its own Node process, taking one event at a time. */
export interface WarmContainer {
  invoke(event: unknown): Promise<WarmResult>;
  stop(): Promise<void>;
}

/**
 * Starts a packaged handler in its own process, as Lambda keeps a warm container:
 * loaded once, then invoked with one event after another (JSON lines on stdin,
 * one result line each on stdout). Several containers run invocations concurrently.
 */
export function startWarmContainer(
  taskRoot: string,
  handlerModule: string,
  env: NodeJS.ProcessEnv,
): WarmContainer {
  const script = `
    const { handler } = require(${JSON.stringify(`./${handlerModule}`)});
    const { performance } = require('node:perf_hooks');
    const lines = require('node:readline').createInterface({ input: process.stdin });
    (async () => {
      for await (const line of lines) {
        const started = performance.now();
        let reply;
        try { reply = { result: await handler(JSON.parse(line)) }; }
        catch (error) { reply = { error: String((error && error.message) || error) }; }
        reply.ms = performance.now() - started;
        process.stdout.write(JSON.stringify(reply) + '\\n');
      }
    })();`;
  const child = spawn(process.execPath, ['-e', script], { cwd: taskRoot, env });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const waiting: Array<{ resolve(result: WarmResult): void; reject(error: Error): void }> = [];
  let pending = '';
  child.stdout.on('data', (chunk) => {
    pending += chunk;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      waiting.shift()?.resolve(JSON.parse(line) as WarmResult);
    }
  });
  const exited = once(child, 'close').then(([code]) => {
    for (const waiter of waiting.splice(0)) {
      waiter.reject(new Error(`${handlerModule} container exited (${code}): ${stderr}`));
    }
  });
  return {
    invoke(event) {
      return new Promise<WarmResult>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify(event)}\n`);
      });
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}
