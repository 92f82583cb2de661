import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** One child process, timed from spawn to exit. */
export interface ProcessRun {
  readonly seconds: number;
  /** Peak resident memory of the child (KiB); 0 when it was not asked for. */
  readonly maxRssKiB: number;
}

export interface NodeRunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A file from {@link writeMaxRssPreload}: the child reports its peak memory as it exits. */
  readonly preload?: string;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

/**
 * Writes a preload module into `dir` that, as the process exits, writes its peak resident
 * memory (`process.resourceUsage().maxRSS`, the kernel's high-water mark) to file
 * descriptor 3, which {@link runNode} reads.
 */
export function writeMaxRssPreload(dir: string): string {
  const file = path.join(dir, 'report-max-rss.js');
  writeFileSync(
    file,
    "process.on('exit', () => { require('node:fs').writeSync(3, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })); });\n",
  );
  return file;
}

/**
 * Runs `node <args>` with its stdout thrown away, and resolves when it exits.
 *
 * @throws when it exits with a code other than 0 (with what it wrote to stderr).
 */
export function runNode(args: readonly string[], options: NodeRunOptions): Promise<ProcessRun> {
  const preload = options.preload ? ['--require', options.preload] : [];
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...preload, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let report = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    report += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) {
        reject(
          new Error(
            `node ${args.join(' ').slice(0, 200)} exited ${code}: ${stderr.slice(0, 2000)}`,
          ),
        );
        return;
      }
      const maxRssKiB = report ? (JSON.parse(report) as { maxRssKiB: number }).maxRssKiB : 0;
      resolve({ seconds, maxRssKiB });
    });
  });
}

/**
 * Runs each of `kinds` `times` times, taking turns (a, b, a, b, ...), so that load on
 * the machine falls on every kind alike; returns each kind's runs.
 */
export async function alternate<K extends string>(
  times: number,
  kinds: Record<K, () => Promise<ProcessRun>>,
): Promise<Record<K, ProcessRun[]>> {
  const names = Object.keys(kinds) as K[];
  const runs = Object.fromEntries(names.map((name) => [name, [] as ProcessRun[]])) as Record<
    K,
    ProcessRun[]
  >;
  for (let round = 0; round < times; round++) {
    for (const name of names) runs[name].push(await kinds[name]());
  }
  return runs;
}
