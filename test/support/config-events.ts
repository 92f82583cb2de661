/**
 * The AWS Config fixtures under `test/events/config/` (see its README), loaded afresh on
 * every call so a test may change what it gets, for the Config rule's parser and handler tests.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ConfigurationItem } from '@aws-sdk/client-config-service';
import { isJsonObject, type JsonObject, REPO_ROOT } from './fixtures';

const CONFIG_EVENTS_DIR = path.join(REPO_ROOT, 'test', 'events', 'config');

/** The Lambda events in `test/events/config/`. */
export type ConfigEventName =
  | 'change-compliant.json'
  | 'change-deleted-not-recorded.json'
  | 'change-deleted.json'
  | 'change-invalid-values.json'
  | 'change-left-scope.json'
  | 'change-missing-topic.json'
  | 'change-no-tags.json'
  | 'change-tags-only-in-supplementary.json'
  | 'oversized.json'
  | 'periodic.json'
  | 'snapshot-delivery.json';

export const CONFIG_EVENT_NAMES: readonly ConfigEventName[] = [
  'change-compliant.json',
  'change-deleted-not-recorded.json',
  'change-deleted.json',
  'change-invalid-values.json',
  'change-left-scope.json',
  'change-missing-topic.json',
  'change-no-tags.json',
  'change-tags-only-in-supplementary.json',
  'oversized.json',
  'periodic.json',
  'snapshot-delivery.json',
];

/** A Lambda event as Config sends it: `invokingEvent` is JSON text. */
export interface RawConfigEvent extends JsonObject {
  invokingEvent: string;
}

/** A GetResourceConfigHistory item whose tags map a test may read or replace. */
export type HistoryItem = ConfigurationItem & { tags: Record<string, string> };

/** A fresh copy of a Lambda event fixture. */
export function loadConfigEvent(name: ConfigEventName): RawConfigEvent {
  const value: unknown = JSON.parse(readFileSync(path.join(CONFIG_EVENTS_DIR, name), 'utf8'));
  if (!isJsonObject(value) || typeof value.invokingEvent !== 'string') {
    throw new Error(`${name}: expected a Lambda event whose invokingEvent is JSON text`);
  }
  return value as RawConfigEvent;
}

/**
 * A fresh copy of `history-s3-item.json` as the SDK returns it: the file holds the
 * timestamps as ISO text (it is the SDK's output after `JSON.stringify`); the SDK gives `Date`s.
 */
export function loadHistoryItem(): HistoryItem {
  const raw = JSON.parse(
    readFileSync(path.join(CONFIG_EVENTS_DIR, 'history-s3-item.json'), 'utf8'),
  );
  for (const field of [
    'configurationItemCaptureTime',
    'resourceCreationTime',
    'configurationItemDeliveryTime',
  ]) {
    raw[field] = new Date(raw[field]);
  }
  return raw;
}
