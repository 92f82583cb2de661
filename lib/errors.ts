/**
 * The project's errors. Each keeps its `cause`; callers map them to outcomes
 * (report and go on, fall back, retry) in one place each.
 */
export {
  type FileProblem,
  InvalidFileError,
  PolicyError,
  type PolicyProblem,
  WaiversError,
} from '../policies/policy-error';

/** Input that is not a Macie finding the validator can judge. */
export class FindingParseError extends Error {
  override readonly name = 'FindingParseError';

  constructor(
    message: string,
    /** Each problem as `path: what is wrong`. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message, options);
  }
}

/**
 * A Macie API call that failed, named with its region, so that a message can say
 * which call was refused where (`ListFindings in eu-west-1`). The SDK's error is the cause.
 */
export class MacieCallError extends Error {
  override readonly name = 'MacieCallError';

  constructor(
    /** The API operation, e.g. `ListFindings`. */
    readonly call: string,
    readonly region: string,
    options: { cause: unknown },
  ) {
    const { name, message } = options.cause as Partial<Error>;
    super(`${call} in ${region}: ${name ?? 'Error'}: ${message ?? String(options.cause)}`, options);
  }
}

/**
 * Input that is not an AWS Config rule invocation (or configuration item) the
 * Config rule can judge: a missing result token, an `invokingEvent` that is not
 * JSON, a change notification without its configuration item, a bad timestamp.
 */
export class ConfigEventError extends Error {
  override readonly name = 'ConfigEventError';

  constructor(
    message: string,
    /** Each problem as `path: what is wrong`, e.g. `invokingEvent: not valid JSON`. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message, options);
  }
}

/** A scheduled invocation of `summarizeLedger` whose input names no job it runs. */
export class LedgerJobError extends Error {
  override readonly name = 'LedgerJobError';
}

/**
 * A periodic sweep of the Config rule that cannot go on: the rest could not be
 * handed to a fresh invocation, or the sweep reached its most parts.
 */
export class SweepError extends Error {
  override readonly name = 'SweepError';
}
