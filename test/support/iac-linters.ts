/**
 * The field's own linters for CloudFormation templates, run from the project's
 * .venv (which the integration setup installs): cfn-lint and checkov.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './fixtures';

const run = promisify(execFile);
export const VENV_BIN = path.join(REPO_ROOT, '.venv', 'bin');

/** Runs a tool of the .venv, resolving with its exit code and output whatever the code. */
async function tool(command: string, args: readonly string[]) {
  try {
    const { stdout, stderr } = await run(path.join(VENV_BIN, command), [...args], {
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    if (typeof code !== 'number') throw error;
    return { code, stdout, stderr };
  }
}

/** cfn-lint's findings (warnings included), one line each, and its exit code. */
export async function cfnLint(templateFile: string): Promise<{ code: number; findings: string[] }> {
  const { code, stdout } = await tool('cfn-lint', ['--format', 'parseable', templateFile]);
  return { code, findings: stdout.split('\n').filter(Boolean) };
}

/** What checkov found: each failed check as `<check id> <resource>`, and its counts. */
export interface CheckovReport {
  readonly failed: string[];
  readonly summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
}

export async function checkov(templateFile: string): Promise<CheckovReport> {
  const { stdout } = await tool('checkov', [
    '--file',
    templateFile,
    '--framework',
    'cloudformation',
    '--skip-download',
    '--quiet',
    '--output',
    'json',
  ]);
  const report = JSON.parse(stdout) as {
    summary: CheckovReport['summary'];
    results: { failed_checks?: Array<{ check_id: string; resource: string }> };
  };
  return {
    failed: (report.results.failed_checks ?? []).map((c) => `${c.check_id} ${c.resource}`),
    summary: report.summary,
  };
}
