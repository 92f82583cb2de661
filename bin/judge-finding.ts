import { type Finding, tagsOfFinding } from '../lib/macie-finding';
import type { TagKeySettings } from '../lib/tag-keys';
import type { Policy } from '../policies/policy';
import { declaredLevelOf } from '../rules/declared-level';
import { evaluateFinding } from '../rules/verdict';
import { type CheckResult, toCheckResult } from './check-result';
import type { TagsByBucket } from './tags-file';

/** What judging a finding needs besides the finding. */
export interface JudgeContext {
  readonly policy: Policy;
  readonly tags: TagsByBucket;
  readonly tagKeys: TagKeySettings;
}

/** One finding judged as `check` reports it: its tags, with the tags file's laid over them. */
export function judge(finding: Finding, source: string, context: JudgeContext): CheckResult {
  const bucket = finding.resourcesAffected.s3Bucket.name;
  const tags = { ...tagsOfFinding(finding), ...context.tags.get(bucket) };
  const verdict = evaluateFinding(finding, tags, context.policy, context.tagKeys);
  const declaration = declaredLevelOf(context.policy, tags[context.tagKeys.classification]);
  const declaredLevel = declaration.kind === 'declared' ? declaration.level : null;
  return toCheckResult(finding, verdict, declaredLevel, source);
}
