/** Errors shaped like the AWS SDK's service exceptions, which code tells apart by `name`. */

/**
 * An error named `name` (e.g. `AccessDenied`), with `message` or else the name as its
 * message, and the SDK's `$fault`: `client` unless said otherwise.
 */
export function awsError(
  name: string,
  message = name,
  fault: 'client' | 'server' = 'client',
): Error {
  return Object.assign(new Error(message), { name, $fault: fault });
}
