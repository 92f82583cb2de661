/**
 * The tag a team's topic carries to accept classification notices, e.g.
 * `AcceptsClassificationAlerts=true`. Without it a bucket tag alone could route
 * notices (with object keys in them) to any topic the functions may publish to.
 */
export interface OptInTag {
  readonly key: string;
  readonly value: string;
}

/** What reading a topic's tags found. */
export type TopicTagsRead =
  | { readonly kind: 'read'; readonly tags: Readonly<Record<string, string>> }
  /** SNS says the topic does not exist. */
  | { readonly kind: 'missing' }
  /** The tags could not be read (not authorised, throttled, region unreachable), with the reason. */
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Whether a topic accepts notices. */
export type TopicOptIn =
  | { readonly kind: 'opted-in' }
  | {
      readonly kind: 'not-opted-in';
      readonly tag: OptInTag;
      /** The value the topic's tag has, when it has the key with another value. */
      readonly found?: string;
    }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Has the topic opted in? Its tag `tag.key` must be exactly `tag.value`: the same
 * comparison as IAM's `StringEquals` on `aws:ResourceTag/<key>` (SNS tags are
 * case-sensitive, and IAM does not trim), so the check and the role's condition
 * never disagree.
 *
 * @example judgeTopicOptIn({ kind: 'read', tags: { AcceptsClassificationAlerts: 'true' } },
 *   { key: 'AcceptsClassificationAlerts', value: 'true' }) // { kind: 'opted-in' }
 */
export function judgeTopicOptIn(read: TopicTagsRead, tag: OptInTag): TopicOptIn {
  switch (read.kind) {
    case 'missing':
      return { kind: 'missing' };
    case 'unreadable':
      return { kind: 'unknown', reason: read.reason };
    case 'read': {
      const value = read.tags[tag.key];
      if (value === tag.value) return { kind: 'opted-in' };
      return value === undefined
        ? { kind: 'not-opted-in', tag }
        : { kind: 'not-opted-in', tag, found: value };
    }
  }
}

/** The tag as a team writes it: `AcceptsClassificationAlerts=true`. */
export function optInTagText(tag: OptInTag): string {
  return `${tag.key}=${tag.value}`;
}
