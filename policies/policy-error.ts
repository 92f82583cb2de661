/** One thing wrong in a policy file. */
export interface PolicyProblem {
  /** Path inside the file, e.g. `severity.levelGap[2]`; empty for the whole file. */
  readonly path: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  readonly message: string;
}

/**
 * A policy file that cannot be used. The message names the file, and for each
 * problem the line, the path inside the file and what is wrong.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(
    readonly source: string,
    readonly problems: readonly PolicyProblem[],
    options?: { cause?: unknown },
  ) {
    super(formatProblems(source, problems), options);
  }
}

function formatProblems(source: string, problems: readonly PolicyProblem[]): string {
  const lines = problems.map((problem) => {
    const where = problem.line === undefined ? source : `${source}:${problem.line}`;
    return problem.path === ''
      ? `${where}: ${problem.message}`
      : `${where}: ${problem.path}: ${problem.message}`;
  });
  const heading =
    problems.length === 1 ? 'invalid policy' : `invalid policy (${problems.length} problems)`;
  return `${heading}\n  ${lines.join('\n  ')}`;
}
