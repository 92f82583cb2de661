// A Stryker reporter: the mutation score of each top-level folder (rules, policies,
// lib, ...) and of each file, printed after a run and written as JSON to
// reports/mutation/summary.json. Stryker's own reports give one score for all.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const SUMMARY_FILE = 'reports/mutation/summary.json';

/** Counts of mutants by status, and the scores Stryker would compute from them. */
function tally(mutants) {
  const count = (status) => mutants.filter((mutant) => mutant.status === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  const covered = detected + survived;
  const percent = (part, whole) => (whole === 0 ? null : Math.round((1000 * part) / whole) / 10);
  return {
    mutants: mutants.length,
    killed,
    timeout,
    survived,
    noCoverage,
    ignored: count('Ignored'),
    errors: count('RuntimeError') + count('CompileError'),
    score: percent(detected, valid),
    scoreOfCovered: percent(detected, covered),
  };
}

/** The summary of a Stryker mutation test report (schema `mutation-testing-report-schema`). */
export function summarize(report) {
  const byFolder = new Map();
  const files = {};
  for (const [path, file] of Object.entries(report.files)) {
    const relative = path.replaceAll('\\', '/').replace(`${process.cwd()}/`, '');
    const folder = relative.includes('/') ? relative.slice(0, relative.indexOf('/')) : '.';
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...file.mutants]);
    files[relative] = tally(file.mutants);
  }
  const folders = Object.fromEntries(
    [...byFolder.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([f, m]) => [f, tally(m)]),
  );
  const all = Object.values(report.files).flatMap((file) => file.mutants);
  return { total: tally(all), folders, files };
}

function printTable(summary) {
  const rows = [
    ['folder', 'score %', 'killed', 'timeout', 'survived', 'no coverage', 'ignored'],
    ...Object.entries({ ...summary.folders, all: summary.total }).map(([name, t]) => [
      name,
      t.score === null ? 'n/a' : t.score.toFixed(1),
      t.killed,
      t.timeout,
      t.survived,
      t.noCoverage,
      t.ignored,
    ]),
  ].map((row) => row.map(String));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  '),
    );
  }
}

export const strykerPlugins = [
  {
    kind: 'Reporter',
    name: 'folder-summary',
    value: {
      onMutationTestReportReady(report) {
        const summary = summarize(report);
        mkdirSync(dirname(SUMMARY_FILE), { recursive: true });
        writeFileSync(SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`);
        console.log(`\nMutation score by folder (${SUMMARY_FILE}):`);
        printTable(summary);
      },
    },
  },
];
