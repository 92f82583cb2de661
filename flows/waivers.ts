import type { Waivers } from '../policies/waiver';
import type { WaiverLookup } from '../rules/bucket-state';
import { waiverLookup } from '../rules/waivers';

/** The waivers that apply in one bucket at one time; see `rules/waivers.ts`. */
export type WaiversOf = (accountId: string, bucket: string, now: Date) => WaiverLookup;

/** Answers, for a bucket at a time, which of `waivers` covers a type. */
export function waiversFrom(waivers: Waivers): WaiversOf {
  return (accountId, bucket, now) => waiverLookup(waivers, accountId, bucket, now);
}
