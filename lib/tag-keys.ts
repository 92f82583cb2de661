/** The tags that carry a bucket's declaration. */
export interface TagKeySettings {
  readonly classification: string;
  readonly topic: string;
  readonly team: string;
}

export const DEFAULT_TAG_KEYS: TagKeySettings = {
  classification: 'DataClassification',
  topic: 'SupportSNSTopic',
  team: 'Team',
};

/**
 * Tag keys from the environment (`CLASSIFICATION_TAG_KEY`, `TOPIC_TAG_KEY`,
 * `TEAM_TAG_KEY`), the names the Lambda functions read, so the CLI and the
 * deployed stack judge buckets alike.
 */
export function tagKeysFromEnv(env: NodeJS.ProcessEnv = process.env): TagKeySettings {
  const pick = (name: string, fallback: string): string => env[name]?.trim() || fallback;
  return {
    classification: pick('CLASSIFICATION_TAG_KEY', DEFAULT_TAG_KEYS.classification),
    topic: pick('TOPIC_TAG_KEY', DEFAULT_TAG_KEYS.topic),
    team: pick('TEAM_TAG_KEY', DEFAULT_TAG_KEYS.team),
  };
}
