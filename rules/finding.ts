/**
 * What the rules read from an Amazon Macie finding. The parser in `lib/`
 * produces a superset of this shape; rules declare only what they use, so they
 * stay free of parsing and I/O.
 */

export interface SensitiveDataItemInput {
  readonly category: string;
  readonly detections: readonly { readonly type: string; readonly count: number }[];
}

export interface ClassificationResultInput {
  readonly sensitiveData: readonly SensitiveDataItemInput[];
  readonly customDataIdentifiers?: {
    readonly detections: readonly { readonly name: string; readonly count: number }[];
  } | null;
}

export interface FindingInput {
  readonly id: string;
  /** `SensitiveData:S3Object/...` or `Policy:IAMUser/...`. */
  readonly type: string;
  readonly archived: boolean;
  readonly sample: boolean;
  readonly classificationDetails?: {
    readonly result?: ClassificationResultInput | null;
  } | null;
  readonly resourcesAffected: {
    readonly s3Bucket: {
      readonly name: string;
      readonly publicAccess?: { readonly effectivePermission?: string | null } | null;
    };
  };
}

/** Bucket tags as key -> value. */
export type BucketTags = Readonly<Record<string, string>>;

/** Which tags carry the declaration; set per deployment (defaults live with the settings). */
export interface TagKeys {
  /** Declares the bucket's level, e.g. `DataClassification`. */
  readonly classification: string;
  /** Names the owning team's SNS topic, e.g. `SupportSNSTopic`. */
  readonly topic: string;
  /** Names the owning team, e.g. `Team`. */
  readonly team: string;
}
