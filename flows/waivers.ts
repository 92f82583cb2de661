import { DEFAULT_WAIVERS_FILE, loadWaivers } from '../policies/load-waivers';
import type { WaiverLookup } from '../rules/bucket-state';
import { waiverLookup } from '../rules/waivers';

/** The waivers that apply in one bucket at one time; see `rules/waivers.ts`. */
export type WaiversOf = (accountId: string, bucket: string, now: Date) => WaiverLookup;

/**
 * Loads a waivers file (the one shipped with the code when none is named) and
 * answers, for a bucket at a time, which waiver covers a type.
 *
 * @throws WaiversError naming the file, line and problem when the file is invalid.
 */
export function waiversFrom(file: string | undefined): WaiversOf {
  const waivers = loadWaivers(file ?? DEFAULT_WAIVERS_FILE);
  return (accountId, bucket, now) => waiverLookup(waivers, accountId, bucket, now);
}
