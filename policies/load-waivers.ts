import { parseDataFile, readDataFile, validateDataFile } from './data-file';
import { WaiversError } from './policy-error';
import { shippedFile } from './shipped-file';
import { normaliseWaivedType, type Waiver, type Waivers } from './waiver';
import { waiversFileSchema } from './waivers-file-schema';
import { wildcardMatcher } from './wildcard';

/** The waivers shipped beside the default policy, used when no other file is given. */
export const DEFAULT_WAIVERS_FILE = shippedFile(__dirname, 'waivers.yaml');

/**
 * Reads and validates a waivers file (YAML or JSON). Every problem in the file is
 * reported at once, each with its line and path.
 *
 * @throws WaiversError when the file cannot be read or is not a valid waivers file.
 * @example
 * ```yaml
 * waivers:
 *   - bucket: acme-analytics-*
 *     account: "111122223333"
 *     types: [USA_SOCIAL_SECURITY_NUMBER, "*_PASSPORT_NUMBER"]
 *     reason: Legacy export being migrated to the restricted data lake
 *     ticket: SEC-1234
 *     approver: jane.doe@example.com
 *     expires: 2026-06-30
 * ```
 */
export function loadWaivers(file: string = DEFAULT_WAIVERS_FILE): Waivers {
  return parseWaivers(readDataFile(file, WaiversError), file);
}

/** Validates waivers text; `source` names it in messages and in each waiver's `source`. */
export function parseWaivers(text: string, source: string): Waivers {
  const file = parseDataFile(text, source, WaiversError);
  const parsed = validateDataFile(waiversFileSchema, file, source, WaiversError);
  return {
    source,
    waivers: parsed.waivers.map((entry, index): Waiver => {
      const line = file.lineAt(['waivers', index]);
      return {
        bucket: entry.bucket,
        bucketMatcher: wildcardMatcher(entry.bucket),
        accountId: entry.account ?? null,
        types: entry.types,
        typeMatchers: entry.types.map((type) => wildcardMatcher(normaliseWaivedType(type))),
        reason: entry.reason,
        ticket: entry.ticket,
        approver: entry.approver,
        expires: entry.expires.text,
        expiresAt: entry.expires.at,
        source: line === undefined ? source : `${source}:${line}`,
      };
    }),
  };
}
