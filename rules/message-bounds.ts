/**
 * Every message the validator publishes is bounded here, by the UTF-8 bytes of
 * what SNS is finally sent, never by characters.
 *
 * SNS takes at most 262,144 bytes per message; the body and every part of each
 * message attribute (name, data type, value) count. A notice is published with
 * `MessageStructure: json`: its document is JSON written into a JSON string
 * (`default`), beside the e-mail text (`email`), so a `"` in a tag value costs
 * four bytes and a `\` four too. {@link publishedBytes} counts exactly what
 * `lib/sns-alert-publisher.ts` sends (a unit test holds the two together).
 *
 * Composers list as much as fits ({@link fitMessage}): lists are ordered most
 * severe first and cut from the end, and the message says how many more there
 * are. {@link boundMessage} is the last guard every published message passes.
 */

/** SNS's limit for one message, in bytes. */
export const SNS_MESSAGE_LIMIT = 262_144;

/**
 * What a message may take: 16 KiB below {@link SNS_MESSAGE_LIMIT}. The margin
 * covers what is counted but not composed here (the subject, should SNS count
 * it) and leaves room in the envelope SNS wraps around a message for queue
 * and HTTPS subscribers (its own fields: ids, topic, timestamps, signature).
 */
export const MESSAGE_BUDGET = 240 * 1024;

/** SNS subjects must be under 100 characters, on one line, without control characters. */
export const SUBJECT_LIMIT = 99;

/** A message as the publisher takes it: a JSON document, readable text, a subject and attributes. */
export interface PublishableMessage {
  readonly subject: string;
  readonly document: unknown;
  readonly text: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The SNS `Message` of a notice: `MessageStructure: json`, JSON for machines and text for e-mail. */
export function snsMessageBody(message: Pick<PublishableMessage, 'document' | 'text'>): string {
  return JSON.stringify({ default: JSON.stringify(message.document), email: message.text });
}

/** SNS rejects an empty attribute value: an empty one is sent as `-`. */
export function snsAttributeValue(value: string): string {
  return value === '' ? '-' : value;
}

/**
 * The bytes SNS counts for a message: the body, the subject, and each attribute's
 * name, data type (`String`) and value, all as UTF-8.
 */
export function publishedBytes(message: PublishableMessage): number {
  let bytes = utf8Bytes(snsMessageBody(message)) + utf8Bytes(message.subject);
  for (const [name, value] of Object.entries(message.attributes)) {
    bytes += utf8Bytes(name) + utf8Bytes('String') + utf8Bytes(snsAttributeValue(value));
  }
  return bytes;
}

/**
 * A subject SNS takes: printable ASCII only (anything else becomes `?`), one
 * line, under 100 characters; a cut is marked with `...`.
 *
 * @example snsSubject('[High] Daily digest for team Équipe\n') // '[High] Daily digest for team ?quipe?'
 */
export function snsSubject(text: string): string {
  // One `?` for each character outside printable ASCII (`u`: a pair of UTF-16 units is one).
  const ascii = text.replace(/[^\x20-\x7e]/gu, '?');
  return ascii.length <= SUBJECT_LIMIT ? ascii : `${ascii.slice(0, SUBJECT_LIMIT - 3)}...`;
}

/**
 * The message with the most list items shown (up to `longest`) that fits the
 * budget. `compose(shown)` lists at most `shown` items of each of its long
 * lists, most severe first, and says how many it left out. When even one item
 * each does not fit, that message is returned, and {@link boundMessage} cuts it
 * on its way to SNS.
 */
export function fitMessage<M extends PublishableMessage>(
  compose: (shown: number) => M,
  longest: number,
  budget: number = MESSAGE_BUDGET,
): M {
  const all = compose(longest);
  const allBytes = publishedBytes(all);
  if (allBytes <= budget) return all;
  // The most severe item is always listed, so the search starts at one. Items
  // differ in size (names, example keys), so the whole range is searched.
  let low = Math.min(1, longest);
  let high = longest - 1;
  let best: M | undefined;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = compose(middle);
    if (publishedBytes(candidate) <= budget) {
      best = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  // Not even one item each fits: the publisher's last guard cuts it.
  return best ?? compose(Math.min(1, longest));
}

/** What stands for a document that did not fit, so subscribers still learn what it was. */
export interface CutDocument {
  /** The document's own fields that are short values (schema, kind, severity, team, summary, ...). */
  readonly [field: string]: unknown;
  readonly cut: true;
  readonly cutReason: string;
}

/** Longest string field kept from a document that did not fit. */
const CUT_FIELD_CHARS = 1024;
const CUT_REASON =
  'The full message did not fit in one SNS message (262,144 bytes); its lists were left out.';
const CUT_MARK = '\n[cut: the rest did not fit in one SNS message]';

/**
 * The message as it may be published: a valid SNS subject and, when the message
 * is over the budget, its document reduced to its short top-level fields and its
 * text cut (at a character, never inside one) to what fits. A message within the
 * budget keeps its document and text as they are.
 */
export function boundMessage(
  message: PublishableMessage,
  budget: number = MESSAGE_BUDGET,
): PublishableMessage {
  const subject = snsSubject(message.subject);
  const bounded = { ...message, subject };
  if (publishedBytes(bounded) <= budget) return bounded;
  const document = cutDocument(message.document);
  const withoutText = { ...bounded, document, text: CUT_MARK.trimStart() };
  if (publishedBytes(withoutText) > budget) {
    return { ...withoutText, document: { cut: true, cutReason: CUT_REASON } };
  }
  // The longest start of the text that fits, found by halving: each character's
  // cost depends on how it is escaped, so it is measured, not estimated.
  let low = 0;
  let high = message.text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const text = `${cutAt(message.text, middle)}${CUT_MARK}`;
    if (publishedBytes({ ...withoutText, text }) <= budget) low = middle;
    else high = middle - 1;
  }
  // No character fits beside the mark on its own line: the mark alone, as measured above.
  return low === 0
    ? withoutText
    : { ...withoutText, text: `${cutAt(message.text, low)}${CUT_MARK}` };
}

function cutDocument(document: unknown): CutDocument {
  const kept: Record<string, unknown> = {};
  if (document !== null && typeof document === 'object' && !Array.isArray(document)) {
    for (const [field, value] of Object.entries(document)) {
      if (typeof value === 'string') kept[field] = cutAt(value, CUT_FIELD_CHARS);
      else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
        kept[field] = value;
      }
    }
  }
  return { ...kept, cut: true, cutReason: CUT_REASON };
}

/**
 * The first `units` UTF-16 units of `text`, one fewer when the cut would split a
 * character made of two (a surrogate pair), so no half character is ever sent.
 */
export function cutAt(text: string, units: number): string {
  if (units >= text.length) return text;
  // charCodeAt(-1) is NaN, not a surrogate.
  const end = isHighSurrogate(text.charCodeAt(units - 1)) ? units - 1 : units;
  return text.slice(0, Math.max(end, 0));
}

/** The longest start of `text` whose UTF-8 encoding takes at most `maxBytes`, cut between characters. */
export function cutToBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = utf8Bytes(character);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/** Items left out of a long list: how many, and how many occurrences they stand for. */
export interface NotListed {
  readonly types: number;
  readonly occurrences: number;
}

/**
 * The first `shown` items of a list already ordered most severe first, and a
 * count of the rest with the occurrences they stand for.
 */
export function listHead<T extends { readonly count: number }>(
  items: readonly T[],
  shown: number,
): { readonly listed: readonly T[]; readonly notListed: NotListed | undefined } {
  if (items.length <= shown) return { listed: items, notListed: undefined };
  const rest = items.slice(shown);
  return {
    listed: items.slice(0, shown),
    notListed: {
      types: rest.length,
      occurrences: rest.reduce((sum, item) => sum + item.count, 0),
    },
  };
}

/** `…and 3990 more types (128000 occurrences)`: the line that stands for a list's unlisted rest. */
export function notListedLine(notListed: NotListed): string {
  return `…and ${notListed.types} more type${notListed.types === 1 ? '' : 's'} (${notListed.occurrences} occurrence${notListed.occurrences === 1 ? '' : 's'})`;
}

/**
 * Orders sensitive types most severe first: forbidden types, then by the level
 * they need (highest first, by `levels`, lowest to highest), then by occurrences,
 * then by name so the order is stable.
 */
export function mostSevereFirst(levels: readonly string[]) {
  const rank = (requiredLevel: string): number =>
    requiredLevel === 'forbidden' ? levels.length : levels.indexOf(requiredLevel);
  return (
    a: { readonly type: string; readonly requiredLevel: string; readonly count: number },
    b: { readonly type: string; readonly requiredLevel: string; readonly count: number },
  ): number =>
    rank(b.requiredLevel) - rank(a.requiredLevel) ||
    b.count - a.count ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
}
