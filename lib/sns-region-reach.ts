/**
 * Whether an SNS error says the topic's region cannot be reached from this
 * account at all, so that no retry can help: the topic's tag is what is wrong.
 * One rule for both SNS adapters: the publisher then falls back to central
 * security, the tag rule calls the bucket NON_COMPLIANT.
 */

/**
 * Credentials the topic's regional endpoint does not accept: a region not
 * enabled for the account (`OptInRequired`), or one that does not know the access
 * key (`InvalidClientTokenId`, `UnrecognizedClientException`, `InvalidAccessKeyId`).
 * The functions' own credentials work in their own region, so these say the
 * topic's region is not one the account can use.
 */
const UNREACHABLE_REGION_ERRORS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'OptInRequired',
]);

/** Node's errors for a host name that does not resolve (no such name; resolver unsure). */
const NAME_RESOLUTION_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * The shape of every AWS region name: a partition prefix (`us`, `eu`, `ap`, `us-gov`,
 * `us-iso`, `eusc-de`, ...), a compass direction, a number: `eu-west-1`,
 * `ap-southeast-7`, `us-gov-west-1`, `us-isob-east-1`, `il-central-1`.
 */
const REGION_NAME =
  /^[a-z]{2,4}(-(gov|iso[a-z]?|[a-z]{2}))?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

/**
 * The reason (an error name or system code) when `error` says the region of
 * `topicArn` cannot be reached for good; `undefined` when a retry may succeed.
 *
 * - Credentials the regional endpoint refuses (see above): unreachable.
 * - A name-resolution error (`ENOTFOUND`, `EAI_AGAIN`) for a region that is not
 *   shaped like an AWS region name (`xx-fake-1`, `eu-wset-1`, `EU-WEST-1`): that
 *   endpoint will never exist. For a region shaped like one, the resolver failed for
 *   a real endpoint, which is transient.
 * - A server fault is never unreachable, whatever its name.
 */
export function unreachableRegionReason(error: unknown, topicArn: string): string | undefined {
  const { name, code, $fault } = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
  };
  if ($fault === 'server') return undefined;
  if (typeof name === 'string' && UNREACHABLE_REGION_ERRORS.has(name)) return name;
  if (
    typeof code === 'string' &&
    NAME_RESOLUTION_ERRORS.has(code) &&
    !REGION_NAME.test(regionOfTopic(topicArn))
  ) {
    return code;
  }
  return undefined;
}

/** The region field of an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`). */
export function regionOfTopic(topicArn: string): string {
  return topicArn.split(':')[3] ?? '';
}

/** The account of a topic ARN (`arn:aws:sns:<region>:<account>:<name>`). */
export function accountOfTopic(topicArn: string): string {
  return topicArn.split(':')[4] ?? '';
}
