import type { Policy } from '../policies/policy';
import { inert } from '../policies/untrusted-text';
import { declaredLevelOf } from './declared-level';
import type { BucketTags, TagKeys } from './finding';
import { optInTagText, type TopicOptIn } from './topic-opt-in';
import { readTopicTag } from './topic-tag';

/** Config's word for the outcome; INSUFFICIENT_DATA is not accepted from custom rules. */
export type TagCompliance = 'COMPLIANT' | 'NON_COMPLIANT';

export interface TagJudgement {
  readonly compliance: TagCompliance;
  /** What is wrong (or, when compliant, what the bucket declares); 1-256 characters. */
  readonly annotation: string;
  /** Each problem on its own, for reports. Empty when compliant. */
  readonly problems: readonly string[];
}

export interface TagRequirements {
  readonly keys: TagKeys;
  /** Accounts whose topics may receive alerts; empty: only the bucket's own account. */
  readonly allowedTopicAccounts: readonly string[];
  /** Require the team tag too (rule parameter `requireTeamTag`). */
  readonly requireTeam: boolean;
}

/**
 * What looking up a bucket's topic (in the rule's own account) found:
 * - `deliverable`: it exists, is a standard topic, and at least one subscription is confirmed;
 * - `missing`: SNS says it does not exist;
 * - `fifo`: a FIFO topic, which refuses every publish without a message group;
 * - `unconfirmed`: no confirmed subscription, so every notice is dropped;
 * - `unreachable`: its region cannot be reached from this account for good (not a
 *   region, or not enabled), with the reason;
 * - `unknown`: it could not be checked (not authorised, or throttling and server
 *   errors that outlasted the retries), with the reason. Not held against the bucket:
 *   the next sweep looks again.
 */
export type TopicCheck =
  | { readonly kind: 'deliverable' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'fifo' }
  | { readonly kind: 'unconfirmed' }
  | { readonly kind: 'unreachable'; readonly reason: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/** Config limits annotations to 256 characters. */
export const MAX_ANNOTATION = 256;
const MAX_QUOTED = 40;

/**
 * The topic whose existence the caller should check before judging: a valid
 * topic tag naming a topic in `ruleAccountId` (topics elsewhere cannot be looked
 * up with the rule's own permissions).
 */
export function topicToVerify(
  tags: BucketTags,
  bucketAccountId: string,
  ruleAccountId: string,
  requirements: TagRequirements,
): string | undefined {
  const tag = readTopicTag(
    tags,
    requirements.keys,
    bucketAccountId,
    requirements.allowedTopicAccounts,
  );
  return tag.kind === 'valid' && tag.topic.accountId === ruleAccountId ? tag.arn : undefined;
}

/**
 * Judges a bucket's declaration for the Config rule `checkBucketTags`: the
 * classification tag must name a level of the policy (matched as the validator
 * matches it: case-insensitively, trimmed), and the topic tag must be a
 * well-formed SNS topic ARN in an allowed account that can deliver: not a FIFO
 * topic (its name ends in `.fifo`, or the lookup says so: alerts carry no message
 * group, so SNS refuses them) and, when checked, one that exists, in a region the
 * account can reach, with at least one confirmed subscription, and that has opted
 * in to alerts with its opt-in tag (without it, nothing is published to it).
 *
 * @param topic what looking the topic up found, when the caller could look
 *   (see `topicToVerify`); `undefined` when it was not checked.
 * @param optIn whether the topic opted in, when its tags were read (same
 *   condition). Tags that could not be read (`unknown`) are not held against the
 *   bucket, as a topic that could not be looked up is not: the annotation says so,
 *   and the publishers send nothing to a topic whose opt-in they cannot see.
 * @example
 * ```ts
 * judgeBucketTags({ DataClassification: 'TopSecret' }, '111122223333', policy, requirements);
 * // { compliance: 'NON_COMPLIANT', annotation: 'DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted). SupportSNSTopic is missing: ...' }
 * ```
 */
export function judgeBucketTags(
  tags: BucketTags,
  bucketAccountId: string,
  policy: Policy,
  requirements: TagRequirements,
  topic?: TopicCheck,
  optIn?: TopicOptIn,
): TagJudgement {
  const { keys } = requirements;
  const problems: string[] = [];
  const levels = policy.levels.join(', ');

  const declaration = declaredLevelOf(policy, tags[keys.classification]);
  if (declaration.kind === 'missing') {
    problems.push(`${keys.classification} is missing: tag it with one of ${levels}.`);
  } else if (declaration.kind === 'unknown') {
    problems.push(`${keys.classification} ${quote(declaration.value)} is not a level (${levels}).`);
  }

  const tag = readTopicTag(tags, keys, bucketAccountId, requirements.allowedTopicAccounts);
  switch (tag.kind) {
    case 'missing':
      problems.push(`${keys.topic} is missing: tag it with your team's SNS topic ARN.`);
      break;
    case 'malformed':
      problems.push(
        `${keys.topic} ${quote(tag.value)} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>).`,
      );
      break;
    case 'foreign':
      problems.push(
        `${keys.topic} is in account ${tag.topic.accountId}; allowed: ${tag.allowedAccounts.join(', ')}.`,
      );
      break;
    case 'valid': {
      // A topic that does not exist is named once (below); any other must opt in.
      const refusal =
        topic?.kind === 'missing' ? undefined : notOptedIn(keys.topic, tag.topic, optIn);
      if (refusal) problems.push(refusal);
      const problem = undeliverable(
        keys.topic,
        tag.topic,
        tag.topic.name.endsWith('.fifo') ? { kind: 'fifo' } : topic,
      );
      if (problem) problems.push(problem);
      break;
    }
  }

  if (requirements.requireTeam && !tags[keys.team]?.trim()) {
    problems.push(`${keys.team} is missing: tag it with your team's name.`);
  }

  if (problems.length === 0) {
    const level = declaration.kind === 'declared' ? declaration.level : '';
    const arn = tag.kind === 'valid' ? tag.arn : '';
    const unseen =
      optIn?.kind === 'unknown'
        ? ` (its opt-in tag could not be read: ${bounded(optIn.reason)})`
        : '';
    return {
      compliance: 'COMPLIANT',
      annotation: withinAnnotationLimit(`Declares ${level}; alerts go to ${arn}${unseen}.`),
      problems,
    };
  }
  return {
    compliance: 'NON_COMPLIANT',
    annotation: withinAnnotationLimit(problems.join(' ')),
    problems,
  };
}

/**
 * Why alerts to a well-formed topic would not arrive, and what to do; `undefined`
 * when they would, or when it could not be checked.
 */
function undeliverable(
  key: string,
  topic: { readonly region: string; readonly name: string },
  check: TopicCheck | undefined,
): string | undefined {
  switch (check?.kind) {
    case 'missing':
      return `${key} topic ${topic.name} does not exist in ${topic.region}.`;
    case 'unreachable':
      return `${key} is in region ${topic.region}, which this account cannot reach (${bounded(check.reason)}).`;
    case 'fifo':
      return `${key} topic ${topic.name} is a FIFO topic, which refuses alerts (they have no message group): use a standard topic.`;
    case 'unconfirmed':
      return `${key} topic ${topic.name} has no confirmed subscription, so alerts reach nobody: subscribe your team and confirm it.`;
    default:
      return undefined;
  }
}

/**
 * Why nothing will be published to a topic that has not opted in, and exactly which
 * tag to add; `undefined` when it opted in, or its tags were not (or could not be) read.
 */
function notOptedIn(
  key: string,
  topic: { readonly region: string; readonly name: string },
  optIn: TopicOptIn | undefined,
): string | undefined {
  switch (optIn?.kind) {
    case 'missing':
      return `${key} topic ${topic.name} does not exist in ${topic.region}.`;
    case 'not-opted-in': {
      const has =
        optIn.found === undefined ? '' : ` (it has ${optIn.tag.key}=${quote(optIn.found)})`;
      return `${key} topic ${topic.name} has not opted in to alerts${has}: tag the topic ${optInTagText(optIn.tag)}.`;
    }
    default:
      return undefined;
  }
}

/** Error names come from the SDK, but keep them short and printable all the same. */
function bounded(reason: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return reason.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 60);
}

/** Tag values are untrusted and may be long: quote a bounded, printable excerpt. */
function quote(value: string): string {
  return JSON.stringify(inert(value, MAX_QUOTED));
}

function withinAnnotationLimit(annotation: string): string {
  return annotation.length <= MAX_ANNOTATION
    ? annotation
    : `${annotation.slice(0, MAX_ANNOTATION - 1)}…`;
}
