/**
 * What a parser did with an input, for tests that it fails only with its own error class
 * (so callers can tell bad input from a bug), shared by the parsers' unit tests.
 */

/** An error class such as FindingParseError or ConfigEventError. */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The `type` error that `parse` throws; fails the test if it parses or throws anything else. */
export function rejectionOf<E extends Error>(type: ErrorClass<E>, parse: () => unknown): E {
  try {
    parse();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but the value parsed`);
}

/** `parsed`, `rejected` (a `type` error), or `threw …` with whatever else `parse` threw. */
export function outcomeOf(type: ErrorClass<Error>, parse: () => unknown): string {
  try {
    parse();
    return 'parsed';
  } catch (error) {
    return error instanceof type ? 'rejected' : `threw ${String(error)}`;
  }
}
