import { inert, MAX_MESSAGE } from './untrusted-text';

/** One thing wrong in a policy or waivers file. */
export interface FileProblem {
  /** Path inside the file, e.g. `severity.levelGap[2]`; empty for the whole file. */
  readonly path: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  readonly message: string;
  /**
   * The file the problem is in when it is not the one the error names: a policy
   * this policy extends.
   */
  readonly file?: string;
}

/** One thing wrong in a policy file. */
export type PolicyProblem = FileProblem;

/**
 * A data file under `policies/` that cannot be used. The message names the file,
 * and for each problem the line, the path inside the file and what is wrong.
 */
export abstract class InvalidFileError extends Error {
  constructor(
    /** What the file should have been, for the heading: `policy`, `waivers`. */
    what: string,
    readonly source: string,
    readonly problems: readonly FileProblem[],
    options?: { cause?: unknown },
  ) {
    super(formatProblems(what, source, problems), options);
  }
}

/** The constructor of a concrete `InvalidFileError`, for the loaders' shared code. */
export type InvalidFileErrorClass = new (
  source: string,
  problems: readonly FileProblem[],
  options?: { cause?: unknown },
) => InvalidFileError;

/** A policy file that cannot be used. */
export class PolicyError extends InvalidFileError {
  override readonly name = 'PolicyError';

  constructor(source: string, problems: readonly FileProblem[], options?: { cause?: unknown }) {
    super('policy', source, problems, options);
  }
}

/** A waivers file that cannot be used. */
export class WaiversError extends InvalidFileError {
  override readonly name = 'WaiversError';

  constructor(source: string, problems: readonly FileProblem[], options?: { cause?: unknown }) {
    super('waivers', source, problems, options);
  }
}

function formatProblems(what: string, source: string, problems: readonly FileProblem[]): string {
  // The file name, the keys in it and the values quoted in messages are untrusted.
  const lines = problems.map((problem) => {
    const file = inert(problem.file ?? source, MAX_MESSAGE);
    const where = problem.line === undefined ? file : `${file}:${problem.line}`;
    const message = inert(problem.message, MAX_MESSAGE);
    return problem.path === ''
      ? `${where}: ${message}`
      : `${where}: ${inert(problem.path)}: ${message}`;
  });
  const heading =
    problems.length === 1 ? `invalid ${what}` : `invalid ${what} (${problems.length} problems)`;
  return `${heading}\n  ${lines.join('\n  ')}`;
}
