/** Runs the command line in-process, captures what it prints and orders its results, for CLI tests. */
import * as path from 'node:path';
import { main } from '../../bin/bucket-classification';

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
