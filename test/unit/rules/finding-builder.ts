import type { FindingInput } from '../../../rules/finding';

export const KEYS = {
  classification: 'DataClassification',
  topic: 'SupportSNSTopic',
  team: 'Team',
};

export interface Found {
  readonly type: string;
  readonly category?: string;
  readonly count?: number;
}

/** A sensitive data finding for `bucket` with the given managed and custom detections. */
export function finding(
  options: {
    managed?: readonly Found[];
    custom?: readonly { name: string; count?: number }[];
    type?: string;
    archived?: boolean;
    sample?: boolean;
    effectivePermission?: string | null;
    bucket?: string;
  } = {},
): FindingInput {
  const byCategory = new Map<string, { type: string; count: number }[]>();
  for (const found of options.managed ?? []) {
    const category = found.category ?? 'PERSONAL_INFORMATION';
    byCategory.set(category, [
      ...(byCategory.get(category) ?? []),
      { type: found.type, count: found.count ?? 1 },
    ]);
  }
  return {
    id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    type: options.type ?? 'SensitiveData:S3Object/Personal',
    archived: options.archived ?? false,
    sample: options.sample ?? false,
    classificationDetails: {
      result: {
        sensitiveData: [...byCategory].map(([category, detections]) => ({ category, detections })),
        customDataIdentifiers: {
          detections: (options.custom ?? []).map(({ name, count }) => ({
            name,
            count: count ?? 1,
          })),
        },
      },
    },
    resourcesAffected: {
      s3Bucket: {
        name: options.bucket ?? 'team-a-bucket',
        publicAccess:
          options.effectivePermission === null
            ? null
            : { effectivePermission: options.effectivePermission ?? 'NOT_PUBLIC' },
      },
    },
  };
}

export function declared(
  level: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { DataClassification: level, ...extra };
}
