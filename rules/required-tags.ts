import type { Policy } from '../policies/policy';
import { inert } from '../policies/untrusted-text';
import { declaredLevelOf } from './declared-level';
import type { BucketTags, TagKeys } from './finding';
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
 * well-formed SNS topic ARN in an allowed account that, when checked, exists.
 *
 * @param topicExists whether the topic exists, when the caller could check
 *   (see `topicToVerify`); `undefined` when it was not checked.
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
  topicExists?: boolean,
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

  const topic = readTopicTag(tags, keys, bucketAccountId, requirements.allowedTopicAccounts);
  switch (topic.kind) {
    case 'missing':
      problems.push(`${keys.topic} is missing: tag it with your team's SNS topic ARN.`);
      break;
    case 'malformed':
      problems.push(
        `${keys.topic} ${quote(topic.value)} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>).`,
      );
      break;
    case 'foreign':
      problems.push(
        `${keys.topic} is in account ${topic.topic.accountId}; allowed: ${topic.allowedAccounts.join(', ')}.`,
      );
      break;
    case 'valid':
      if (topicExists === false) {
        problems.push(
          `${keys.topic} topic ${topic.topic.name} does not exist in ${topic.topic.region}.`,
        );
      }
      break;
  }

  if (requirements.requireTeam && !tags[keys.team]?.trim()) {
    problems.push(`${keys.team} is missing: tag it with your team's name.`);
  }

  if (problems.length === 0) {
    const level = declaration.kind === 'declared' ? declaration.level : '';
    const arn = topic.kind === 'valid' ? topic.arn : '';
    return {
      compliance: 'COMPLIANT',
      annotation: withinAnnotationLimit(`Declares ${level}; alerts go to ${arn}.`),
      problems,
    };
  }
  return {
    compliance: 'NON_COMPLIANT',
    annotation: withinAnnotationLimit(problems.join(' ')),
    problems,
  };
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
