/**
 * `npm run bench`: runs every section in bench/sections/, writes
 * bench/results/latest.json and prints a table of the figures against their budgets.
 *
 *   npm run bench -- --only cli,cost     only these sections
 *   npm run bench -- --check             exit 1 naming each budget missed
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchOptions, parseBenchArgs, selectSections } from './options';
import { type BudgetResult, checkBudgets, formatTable } from './report';
import { repositoryRoot } from './root';
import type { BenchSection } from './section';

const ROOT = repositoryRoot();

export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly totalMemoryMb: number;
  /** The machine's load over the last minute as the run ended: above the CPU count, figures are noisy. */
  readonly loadAverage: number;
  readonly node: string;
  readonly date: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage: Number((os.loadavg()[0] ?? 0).toFixed(1)),
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** The sections defined in the files of `dir`: each file exports one or more. */
export function loadSections(dir: string): BenchSection[] {
  const files = readdirSync(dir).filter(
    (file) => /\.(js|ts)$/.test(file) && !file.endsWith('.d.ts'),
  );
  const sections = files.flatMap((file) => {
    const exported = require(path.join(dir, file)) as Record<string, unknown>;
    const found = Object.values(exported).filter(isSection);
    if (found.length === 0) throw new Error(`${path.join(dir, file)} exports no bench section`);
    return found;
  });
  const names = sections.map(({ name }) => name);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) throw new Error(`two sections are named ${twice.join(', ')}`);
  return sections;
}

function isSection(value: unknown): value is BenchSection {
  const candidate = value as Partial<BenchSection> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.run === 'function' &&
    Array.isArray(candidate.budgets)
  );
}

async function runBench(options: BenchOptions): Promise<number> {
  const sections = selectSections(loadSections(path.join(__dirname, 'sections')), options.only);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const figures: Record<string, unknown> = {};
  const failed: string[] = [];
  try {
    for (const section of sections) {
      const log = (line: string): void => {
        process.stderr.write(`[${section.name}] ${line}\n`);
      };
      log('running');
      const started = process.hrtime.bigint();
      try {
        figures[section.name] = await section.run({
          root: ROOT,
          scratch,
          log,
          results: { ...figures },
        });
      } catch (error) {
        failed.push(section.name);
        log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      log(`done in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const budgets = checkBudgets(
    figures,
    sections.filter(({ name }) => !failed.includes(name)).flatMap(({ budgets }) => budgets),
  );
  const machine = machineInfo();
  writeResults({ machine, ...figures, budgets: budgetsForFile(budgets) });
  process.stdout.write(
    `${formatTable(figures, budgets)}\n\n${machine.cpus} x ${machine.model}, ${machine.totalMemoryMb} MB, load ${machine.loadAverage}, Node ${machine.node}\n`,
  );

  const missed = budgets.filter((budget) => budget.missed !== undefined);
  if (failed.length > 0) process.stderr.write(`bench: sections failed: ${failed.join(', ')}\n`);
  if (options.check) {
    for (const budget of missed) process.stderr.write(`bench: budget missed: ${budget.missed}\n`);
    if (missed.length === 0 && failed.length === 0)
      process.stderr.write('bench: every budget met\n');
  }
  return failed.length > 0 || (options.check && missed.length > 0) ? 1 : 0;
}

function budgetsForFile(budgets: readonly BudgetResult[]): Record<string, unknown> {
  return Object.fromEntries(
    budgets.map(({ key, limit, missed }) => [
      key,
      { limit, ok: missed === undefined, ...(missed ? { missed } : {}) },
    ]),
  );
}

function writeResults(results: Record<string, unknown>): void {
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
}

if (require.main === module) {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exit(2);
  }
  runBench(options).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
