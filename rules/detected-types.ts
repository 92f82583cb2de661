import type { ClassificationResultInput } from './finding';

/** Category Macie gives custom data identifiers. */
export const CUSTOM_IDENTIFIER_CATEGORY = 'CUSTOM_IDENTIFIER';

/** One sensitive data type found in an object, with how often. */
export interface Detection {
  /** Managed data identifier ID (e.g. `USA_SOCIAL_SECURITY_NUMBER`) or custom identifier name. */
  readonly type: string;
  /** Macie category, e.g. `PERSONAL_INFORMATION`; `CUSTOM_IDENTIFIER` for custom identifiers. */
  readonly category: string;
  readonly count: number;
  /** True for custom data identifiers, which the policy matches by name. */
  readonly custom: boolean;
}

/**
 * The sensitive data types of a classification result: managed identifiers from
 * `sensitiveData[].detections[]` and custom ones from
 * `customDataIdentifiers.detections[]`. A type reported twice is merged and its
 * counts added. Sorted by category then type, so the result does not depend on
 * the order Macie listed them in.
 */
export function detectedTypes(result: ClassificationResultInput | null | undefined): Detection[] {
  if (!result) return [];
  const merged = new Map<string, Detection>();
  const add = (detection: Detection): void => {
    const key = `${detection.custom}\u0000${detection.category}\u0000${detection.type}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, count: seen.count + detection.count } : detection);
  };
  for (const item of result.sensitiveData) {
    const custom = item.category === CUSTOM_IDENTIFIER_CATEGORY;
    for (const { type, count } of item.detections) {
      add({ type, category: item.category, count, custom });
    }
  }
  for (const { name, count } of result.customDataIdentifiers?.detections ?? []) {
    add({ type: name, category: CUSTOM_IDENTIFIER_CATEGORY, count, custom: true });
  }
  return [...merged.values()].sort(
    (a, b) =>
      compare(a.category, b.category) ||
      compare(a.type, b.type) ||
      Number(a.custom) - Number(b.custom),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
