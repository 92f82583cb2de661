/** A command line that cannot run as given: wrong arguments, unreadable settings files. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
