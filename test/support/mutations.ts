/**
 * Fast-check arbitraries that damage a valid fixture a few fields at a time, so that
 * property tests of a parser reach its error paths with input close to the real thing.
 */
import fc from 'fast-check';

/** Where a field or element sits in a JSON-like value: its keys and indexes from the root. */
export type Path = readonly (string | number)[];

/** Deletes the field or element at `path`, or replaces its value. */
export type Mutation = { readonly path: Path } & (
  | { readonly kind: 'delete' }
  | { readonly kind: 'replace'; readonly value: unknown }
);

/** Every path to a field or element in `value`, parents before children. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((element, index) => [index, element])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A copy of `original` with the mutations applied; a path that no longer exists is skipped. */
export function mutated(original: unknown, mutations: readonly Mutation[]): unknown {
  const copy: unknown = structuredClone(original);
  for (const mutation of mutations) {
    let parent: unknown = copy;
    for (const key of mutation.path.slice(0, -1)) {
      parent = typeof parent === 'object' && parent !== null ? Reflect.get(parent, key) : undefined;
    }
    const last = mutation.path[mutation.path.length - 1];
    if (typeof parent !== 'object' || parent === null || last === undefined) continue;
    if (mutation.kind === 'replace') Reflect.set(parent, last, structuredClone(mutation.value));
    else if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else Reflect.deleteProperty(parent, last);
  }
  return copy;
}

/**
 * One to six mutations of fields of `original`. A replacement is any value, or one of
 * `edgeValues`: values near the edges of what the parser under test accepts.
 */
export function mutationsOf(
  original: unknown,
  edgeValues: readonly [unknown, ...unknown[]],
): fc.Arbitrary<Mutation[]> {
  const paths = pathsOf(original);
  const replacement = fc.oneof(fc.anything(), fc.constantFrom(...edgeValues));
  const mutation = fc.oneof(
    fc.record({ path: fc.constantFrom(...paths), kind: fc.constant('delete' as const) }),
    fc.record({
      path: fc.constantFrom(...paths),
      kind: fc.constant('replace' as const),
      value: replacement,
    }),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 6 });
}

/** Copies of `original` with one to six fields deleted or replaced (see `mutationsOf`). */
export function mutantsOf(
  original: unknown,
  edgeValues: readonly [unknown, ...unknown[]],
): fc.Arbitrary<unknown> {
  return mutationsOf(original, edgeValues).map((mutations) => mutated(original, mutations));
}
