/**
 * Text that people outside central security write (tag values, object keys,
 * bucket, file and custom identifier names, keys in a policy or waivers file)
 * made inert for people who read it: e-mail text, terminal tables, CSV cells,
 * stderr and error messages all go through {@link inert}.
 *
 * It lives here because `policies/` is the one folder every other folder may
 * import, and policy files are such text too.
 */

/** How many characters of one untrusted value are kept unless the caller says otherwise. */
export const MAX_UNTRUSTED = 256;

/** How much of a message that quotes untrusted text (an error, a note) is kept. */
export const MAX_MESSAGE = 1024;

/** What stands in for each character taken out. */
const REPLACEMENT = '?';

/**
 * What could start a line, move a terminal's cursor or change its colours, reorder
 * or hide text: control characters (C0, DEL, C1, among them CR, LF, ESC, BEL and
 * NEL), format characters (bidi overrides and isolates, zero-width spaces and
 * joiners, the byte order mark), the line and paragraph separators U+2028 and
 * U+2029, and surrogates without their pair.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * One untrusted value, safe to show: every character in {@link UNSAFE} becomes
 * `?`, and the value is cut to `max` characters, the cut marked with `…`.
 *
 * @example inert('logs/a\nSeverity: Low\u001b[31m') // 'logs/a?Severity: Low?[31m'
 */
export function inert(value: string, max: number = MAX_UNTRUSTED): string {
  if (value.length <= max) return value.replace(UNSAFE, REPLACEMENT);
  let kept = value.slice(0, Math.max(max - 1, 0));
  // Do not leave half of a character that takes two UTF-16 units.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept.replace(UNSAFE, REPLACEMENT)}…`;
}

/**
 * Lines of a message for people, joined: each line goes through {@link inert}
 * (uncut), so the only line breaks are the ones between `lines`, whatever the
 * values in them.
 */
export function inertLines(lines: readonly string[]): string {
  return lines.map((line) => inert(line, Number.POSITIVE_INFINITY)).join('\n');
}
