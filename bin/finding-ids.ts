import { createHash } from 'node:crypto';

/**
 * Macie's ids are 32 characters; an id longer than this (a forged record) is kept
 * as its SHA-256, so that what is remembered per finding stays small.
 */
const MAX_KEPT_ID = 128;

/**
 * The finding ids a run has judged, so that a finding read twice (in two exports,
 * from a file and from Macie) is judged once. Only ids are kept, never findings.
 */
export class FindingIds {
  private readonly seen = new Set<string>();
  /** Digests of the long ids, apart: a short id can never be taken for one. */
  private readonly seenDigests = new Set<string>();
  /** Copies of an id already judged that were skipped. */
  duplicates = 0;

  /** True the first time `id` is offered; after that false, and counted as a duplicate. */
  firstSighting(id: string): boolean {
    const long = id.length > MAX_KEPT_ID;
    const seen = long ? this.seenDigests : this.seen;
    const key = long ? sha256(id) : id;
    // One lookup rather than two: adding an id already there leaves the size as it was.
    const size = seen.size;
    seen.add(key);
    if (seen.size > size) return true;
    this.duplicates++;
    return false;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The stderr line for skipped copies: `3 duplicate findings (same id) counted once`. */
export function duplicatesNote(duplicates: number): string {
  const copies = duplicates === 1 ? '1 duplicate finding' : `${duplicates} duplicate findings`;
  return `${copies} (same id) counted once\n`;
}
