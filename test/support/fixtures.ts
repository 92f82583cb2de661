/**
 * The project's fixtures: Macie events under `test/events/macie/`, loaded afresh
 * on every call so a test may change what it gets without affecting another,
 * and the paths of the examples under `examples/` (inputs for the CLI).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The JSON files in `test/events/macie/` (see its README for what each holds). */
export type MacieEventName =
  | 'archived-true.json'
  | 'cross-account.json'
  | 'missing-bucket-name.json'
  | 'not-macie.json'
  | 'policy-bucket-public.json'
  | 'sample-true.json'
  | 'sensitive-financial.json'
  | 'sensitive-multiple-categories.json'
  | 'sensitive-tags-empty.json'
  | 'sensitive-tags-null.json'
  | 'sensitive-unknown-type.json';

/** The JSON Lines files in `test/events/macie/`. */
export type MacieLinesName = 'discovery-result.jsonl';

/** The files in `examples/findings/` (see `examples/README.md`). */
export type ExampleFindingsName =
  | 'archived-finding.json'
  | 'compliant-analytics.json'
  | 'discovery-results.jsonl'
  | 'policy-finding.json'
  | 'sample-finding.json'
  | 'unclassified-bad-value.json'
  | 'unclassified-scratch.json'
  | 'violation-card-numbers.json'
  | 'violation-credentials.json'
  | 'violation-hr-export.json'
  | 'violation-public-site.json';

/** A parsed JSON object whose fields a test may read, change or delete. */
export type JsonObject = { [key: string]: unknown };

/** The parts of a raw Macie finding that tests reach into; everything else is kept as is. */
export interface RawFinding extends JsonObject {
  id: string;
  type: string;
  resourcesAffected: JsonObject & { s3Bucket: JsonObject & { tags?: RawTag[] | null } };
}

export interface RawTag {
  key: string;
  value: string | null;
}

/** A raw EventBridge event carrying a Macie finding in `detail`. */
export interface RawEvent extends JsonObject {
  source: string;
  'detail-type': string;
  detail: RawFinding;
}

export function macieEventPath(name: MacieEventName | MacieLinesName): string {
  return path.join(REPO_ROOT, 'test', 'events', 'macie', name);
}

export function exampleFindingsPath(name?: ExampleFindingsName): string {
  const dir = path.join(REPO_ROOT, 'examples', 'findings');
  return name === undefined ? dir : path.join(dir, name);
}

export const EXAMPLE_BUCKET_TAGS = path.join(REPO_ROOT, 'examples', 'bucket-tags.json');

/** A fresh copy of an EventBridge event fixture. */
export function loadMacieEvent(name: MacieEventName): RawEvent {
  const value = readJson(macieEventPath(name));
  if (!isJsonObject(value) || !isJsonObject(value.detail)) {
    throw new Error(`${name}: expected an EventBridge event with a "detail" object`);
  }
  return value as RawEvent;
}

/** Fresh copies of the records of a JSON Lines fixture (bare findings / discovery results). */
export function loadMacieLines(name: MacieLinesName): [RawFinding, ...RawFinding[]] {
  const records = readFileSync(macieEventPath(name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const value: unknown = JSON.parse(line);
      if (!isJsonObject(value) || !isJsonObject(value.resourcesAffected)) {
        throw new Error(`${name}: record ${index + 1} is not a bare Macie finding`);
      }
      return value as RawFinding;
    });
  const [first, ...rest] = records;
  if (first === undefined) throw new Error(`${name}: expected at least one record`);
  return [first, ...rest];
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Whether `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
