/**
 * A loaded policy and waivers as plain JSON, and back again.
 *
 * Packaging validates the files the functions are configured with and packs what
 * the loaders made of them into each function's bundle (see `function-files.ts`),
 * so a function rebuilds its policy from JSON: no YAML parser, no file schema and
 * no second validation at cold start. Only maps and matchers have to be rebuilt;
 * every name is already normalised and every level reference resolved.
 */
import type { IdentifierPattern, Policy, Requirement, SeverityTable } from './policy';
import type { Waiver, Waivers } from './waiver';
import { normaliseWaivedType } from './waiver';
import { wildcardMatcher } from './wildcard';

type Entries<V> = Array<[string, V]>;

/** A `Policy` with its maps as entry lists and its patterns without their matchers. */
export interface PackedPolicy {
  readonly source: string;
  readonly extends?: readonly string[];
  readonly levels: readonly string[];
  readonly levelByName: Entries<number>;
  readonly categories: Entries<Requirement>;
  readonly unknownCategory: Requirement;
  readonly managedIdentifiers: Entries<Requirement>;
  readonly managedIdentifierPatterns: ReadonlyArray<Omit<IdentifierPattern, 'matcher'>>;
  readonly customIdentifiers: {
    readonly default: Requirement;
    readonly byName: Entries<Requirement>;
  };
  readonly severity: SeverityTable;
}

/** A `Waiver` without its matchers, its expiry instant as an ISO timestamp. */
export type PackedWaiver = Omit<Waiver, 'bucketMatcher' | 'typeMatchers' | 'expiresAt'> & {
  readonly expiresAt: string;
};

export interface PackedWaivers {
  readonly source: string;
  readonly waivers: readonly PackedWaiver[];
}

/**
 * Names a file as the packed form should: packaging loads files by their paths on
 * the packaging machine and packs them under the names the settings use.
 */
export type Rename = (file: string) => string;

const asIs: Rename = (file) => file;

export function packPolicy(policy: Policy, rename: Rename = asIs): PackedPolicy {
  return {
    source: rename(policy.source),
    ...(policy.extends ? { extends: policy.extends.map(rename) } : {}),
    levels: policy.levels,
    levelByName: [...policy.levelByName],
    categories: [...policy.categories],
    unknownCategory: policy.unknownCategory,
    managedIdentifiers: [...policy.managedIdentifiers],
    managedIdentifierPatterns: policy.managedIdentifierPatterns.map(({ pattern, requirement }) => ({
      pattern,
      requirement,
    })),
    customIdentifiers: {
      default: policy.customIdentifiers.default,
      byName: [...policy.customIdentifiers.byName],
    },
    severity: policy.severity,
  };
}

/** The policy `packPolicy` was given, its maps and matchers rebuilt. */
export function unpackPolicy(packed: PackedPolicy): Policy {
  return {
    source: packed.source,
    ...(packed.extends ? { extends: packed.extends } : {}),
    levels: packed.levels,
    levelByName: new Map(packed.levelByName),
    categories: new Map(packed.categories),
    unknownCategory: packed.unknownCategory,
    managedIdentifiers: new Map(packed.managedIdentifiers),
    // Packed in their order of precedence (most specific first), which is kept.
    managedIdentifierPatterns: packed.managedIdentifierPatterns.map(({ pattern, requirement }) => ({
      pattern,
      matcher: wildcardMatcher(pattern),
      requirement,
    })),
    customIdentifiers: {
      default: packed.customIdentifiers.default,
      byName: new Map(packed.customIdentifiers.byName),
    },
    severity: packed.severity,
  };
}

export function packWaivers(waivers: Waivers, rename: Rename = asIs): PackedWaivers {
  const source = rename(waivers.source);
  return {
    source,
    waivers: waivers.waivers.map(({ bucketMatcher, typeMatchers, expiresAt, ...waiver }) => ({
      ...waiver,
      // `file:line`, the file as `waivers.source` names it.
      source: waiver.source.startsWith(waivers.source)
        ? `${source}${waiver.source.slice(waivers.source.length)}`
        : waiver.source,
      expiresAt: expiresAt.toISOString(),
    })),
  };
}

/** The waivers `packWaivers` was given, their matchers rebuilt. */
export function unpackWaivers(packed: PackedWaivers): Waivers {
  return {
    source: packed.source,
    waivers: packed.waivers.map(
      (waiver): Waiver => ({
        ...waiver,
        bucketMatcher: wildcardMatcher(waiver.bucket),
        typeMatchers: waiver.types.map((type) => wildcardMatcher(normaliseWaivedType(type))),
        expiresAt: new Date(waiver.expiresAt),
      }),
    ),
  };
}
