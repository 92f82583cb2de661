import catalogue from './macie-managed-identifiers.json';
import { normaliseIdentifier } from './policy';

const categoryById = new Map<string, string>(
  Object.entries(catalogue.categories).flatMap(([category, ids]) =>
    ids.map((id): [string, string] => [id, category]),
  ),
);

/**
 * The Macie category of a managed data identifier, from Macie's published list;
 * `undefined` for an ID the list does not have (findings carry the category).
 */
export function categoryOfManagedIdentifier(type: string): string | undefined {
  return categoryById.get(normaliseIdentifier(type));
}

/** Every managed data identifier in the catalogue with its category. */
export function knownManagedIdentifiers(): Array<{ type: string; category: string }> {
  return [...categoryById].map(([type, category]) => ({ type, category }));
}
