/**
 * Runs one bench section on its own and prints its figures as JSON, with the
 * budgets it misses on stderr (exit 1 when it misses any).
 *
 * Usage: node -r ./bench/register-ts.js bench/run-section.ts handler|configRule|peer
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { missedBudgets } from './budgets';
import type { BenchSection } from './section';
import { configRuleSection } from './sections/config-rule';
import { handlerSection } from './sections/handler';
import { peerSection } from './sections/peer';

const SECTIONS: readonly BenchSection[] = [handlerSection, configRuleSection, peerSection];

async function main(name: string | undefined): Promise<number> {
  const section = SECTIONS.find((s) => s.name === name);
  if (!section) {
    process.stderr.write(`usage: run-section ${SECTIONS.map((s) => s.name).join('|')}\n`);
    return 2;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), `bench-${section.name}-`));
  try {
    const figures = await section.run({
      root: path.resolve(__dirname, '..'),
      scratch,
      log: (line) => process.stderr.write(`${section.name}: ${line}\n`),
    });
    process.stdout.write(`${JSON.stringify({ [section.name]: figures }, null, 2)}\n`);
    const missed = missedBudgets(section, { [section.name]: figures });
    for (const miss of missed) process.stderr.write(`budget missed: ${miss}\n`);
    return missed.length > 0 ? 1 : 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
