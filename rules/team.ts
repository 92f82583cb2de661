import type { BucketTags, TagKeys } from './finding';
import { parseTopicArn } from './topic-arn';

/** The team name used when a bucket names no team and no valid topic. */
export const UNASSIGNED_TEAM = 'unassigned';

/**
 * The team that owns a bucket: its `Team` tag; else the name of the topic in its
 * `SupportSNSTopic` tag; else `unassigned`.
 */
export function teamOf(tags: BucketTags, keys: TagKeys): string {
  const team = tags[keys.team]?.trim();
  if (team) return team;
  const topic = tags[keys.topic];
  const arn = topic === undefined ? undefined : parseTopicArn(topic);
  return arn?.name ?? UNASSIGNED_TEAM;
}
