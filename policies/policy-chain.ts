/**
 * Policies that extend others. A policy file may say `extends: default` (the
 * policy shipped with the project) or `extends: <path>` (relative to the file
 * that says it), and name only what it changes:
 *
 * - a map (the file itself, `categories`, `managedIdentifiers`,
 *   `customIdentifiers`, `customIdentifiers.byName`, `severity`) merges with the
 *   parent's key by key: a key given here replaces the parent's value for that
 *   key (merging again when both are maps), other keys keep the parent's;
 * - a list (`levels`, `severity.levelGap`, a level's `aliases`) or a single value
 *   given here replaces the parent's whole.
 *
 * Chains are followed to the policy that extends nothing. The merged policy is
 * then checked as one file; each problem names the file and line its path was
 * written at.
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import {
  type DataFile,
  type PathSegment,
  parseDataFile,
  problemAt,
  readDataFile,
} from './data-file';
import { MAX_EXTENDS_DEPTH } from './data-file-limits';
import { normaliseCustomName } from './policy';
import { PolicyError } from './policy-error';
import { DEFAULT_PARENT } from './policy-file-schema';

/** One file of a chain: where it is and what it says. */
export interface PolicyLayer {
  /** The file as messages name it: as given, or joined to the directory of its child. */
  readonly source: string;
  readonly file: DataFile;
}

/** What reading a chain needs to know: the file `extends: default` names. */
export interface ChainOptions {
  readonly defaultPolicyFile: string;
}

const EXTENDS: PathSegment[] = ['extends'];

/**
 * The files of a chain, the given one first, each parent after its child.
 *
 * @throws PolicyError naming the file and its `extends` line when a parent cannot
 *   be read, the chain comes back to a file already in it, or it is longer than
 *   {@link MAX_EXTENDS_DEPTH}; a parent's own syntax errors name the parent.
 */
export function readPolicyChain(
  text: string,
  source: string,
  options: ChainOptions,
): PolicyLayer[] {
  const layers: PolicyLayer[] = [{ source, file: parseDataFile(text, source, PolicyError) }];
  const seen = [identityOf(source)];
  for (;;) {
    const child = layers[layers.length - 1] as PolicyLayer;
    const parent = parentOf(child, options);
    if (parent === undefined) return layers;
    const fail = (message: string, cause?: unknown): never => {
      const problem = problemAt(child.file.lineAt, EXTENDS, message);
      throw new PolicyError(
        source,
        [child.source === source ? problem : { ...problem, file: child.source }],
        { cause },
      );
    };
    const identity = identityOf(parent);
    const loop = seen.indexOf(identity);
    if (loop >= 0) {
      const files = [...layers.slice(loop).map((layer) => layer.source), parent];
      fail(`extends makes a cycle: ${files.join(' -> ')}`);
    }
    if (layers.length >= MAX_EXTENDS_DEPTH) {
      fail(
        `the chain of policies is longer than ${MAX_EXTENDS_DEPTH} (${layers.map((layer) => layer.source).join(' -> ')} -> ...)`,
      );
    }
    let parentText: string;
    try {
      parentText = readDataFile(parent, PolicyError);
    } catch (error) {
      const reason = (error as PolicyError).problems?.[0]?.message ?? String(error);
      return fail(`the policy it extends, ${parent}: ${reason}`, error);
    }
    layers.push({ source: parent, file: parseDataFile(parentText, parent, PolicyError) });
    seen.push(identity);
  }
}

/** The file `layer` extends, or `undefined` when it extends none. */
function parentOf(layer: PolicyLayer, options: ChainOptions): string | undefined {
  const value = isMap(layer.file.value) ? layer.file.value.extends : undefined;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PolicyError(layer.source, [
      problemAt(
        layer.file.lineAt,
        EXTENDS,
        `must be "${DEFAULT_PARENT}" or the path of a policy file, relative to this one`,
      ),
    ]);
  }
  const name = value.trim();
  if (name === DEFAULT_PARENT) return options.defaultPolicyFile;
  return path.isAbsolute(name) ? name : path.join(path.dirname(layer.source), name);
}

/** The same file under two names (a symbolic link, `./a` and `a`) is one file. */
function identityOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * The files of a chain as one: values merged oldest parent first, and each path
 * located in the file whose value the merged policy holds there. The merged
 * `extends` is the file's own, which the schema accepts as it is.
 */
export function mergePolicyChain(layers: readonly PolicyLayer[]): DataFile {
  const [own] = layers;
  if (own === undefined) throw new Error('a policy chain has at least one file');
  let merged: unknown = {};
  for (const layer of [...layers].reverse()) merged = mergeValues(merged, layer.file.value, []);
  return {
    value: merged,
    lineAt: (segments) => originOf(layers, segments).file.lineAt(segments),
    fileAt: (segments) => {
      const origin = originOf(layers, segments);
      return origin === own ? undefined : origin.source;
    },
  };
}

/** Map keys compared as the policy compares them, where it ignores case. */
function keyOf(at: readonly PathSegment[]): (key: string) => string {
  return at.length === 2 && at[0] === 'customIdentifiers' && at[1] === 'byName'
    ? normaliseCustomName
    : (key) => key;
}

/**
 * `override` over `base`: maps merge key by key, anything else replaces. A key
 * given in another spelling that the policy takes for the same (custom
 * identifier names ignore case) replaces the parent's key too.
 */
export function mergeValues(
  base: unknown,
  override: unknown,
  at: readonly PathSegment[] = [],
): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  const normalise = keyOf(at);
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const same = Object.keys(merged).find((other) => normalise(other) === normalise(key));
    if (same === undefined) {
      merged[key] = value;
      continue;
    }
    const inherited = merged[same];
    delete merged[same];
    merged[key] = mergeValues(inherited, value, [...at, key]);
  }
  return merged;
}

/**
 * The layer whose value the merged policy holds at `segments`, or at the
 * longest part of it that exists. Layers merge only where every one of them
 * holds a map; below a list or a single value only the nearest file counts.
 */
function originOf(layers: readonly PolicyLayer[], segments: readonly PathSegment[]): PolicyLayer {
  let live = layers.map((layer) => ({ layer, value: layer.file.value }));
  let origin = layers[0] as PolicyLayer;
  for (const segment of segments) {
    const next = live
      .map(({ layer, value }) => ({ layer, value: childOf(value, segment) }))
      .filter(({ value }) => value !== undefined);
    const [nearest] = next;
    if (nearest === undefined) break;
    origin = nearest.layer;
    // A list or a single value replaced what the layers past it hold: they stop here.
    const replacing = next.findIndex(({ value }) => !isMap(value));
    live = replacing < 0 ? next : next.slice(0, replacing);
  }
  return origin;
}

/** What a map holds at `segment`; layers are followed only through maps. */
function childOf(value: unknown, segment: PathSegment): unknown {
  return isMap(value) ? value[String(segment)] : undefined;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
