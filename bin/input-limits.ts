import { UsageError } from './usage-error';

/**
 * How much of an input `check` (and a `--tags` file) may hold, so a hostile or
 * broken file ends in a message naming it rather than in an exhausted heap.
 */
export interface InputLimits {
  /** Bytes of one record: a JSON Lines line, a whole JSON document or a tags file. */
  readonly maxRecordBytes: number;
  /** Bytes read from one input once decompressed (a gzip bomb stops here). */
  readonly maxInputBytes: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/**
 * A Macie finding is a few KiB and an EventBridge event at most 256 KiB; a console
 * export of thousands of findings as one JSON array still fits in 64 MiB. A day of
 * discovery results for a large account stays well under 1 GiB.
 */
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxRecordBytes: 64 * MIB,
  maxInputBytes: GIB,
};

/** The environment variables that set the limits when the options are not given. */
export const MAX_RECORD_BYTES_VARIABLE = 'BUCKET_CLASSIFICATION_MAX_RECORD_BYTES';
export const MAX_INPUT_BYTES_VARIABLE = 'BUCKET_CLASSIFICATION_MAX_INPUT_BYTES';

export interface InputLimitFlags {
  readonly maxRecordBytes: string | undefined;
  readonly maxInputBytes: string | undefined;
}

/**
 * The limits from the options, else from the environment, else the defaults.
 *
 * @throws UsageError naming the option or variable whose value is not a size.
 */
export function inputLimits(flags: InputLimitFlags, env: NodeJS.ProcessEnv): InputLimits {
  const pick = (flag: string | undefined, option: string, variable: string, fallback: number) => {
    if (flag !== undefined) return parseByteSize(flag, option);
    const fromEnv = env[variable]?.trim();
    return fromEnv ? parseByteSize(fromEnv, variable) : fallback;
  };
  return {
    maxRecordBytes: pick(
      flags.maxRecordBytes,
      '--max-record-bytes',
      MAX_RECORD_BYTES_VARIABLE,
      DEFAULT_INPUT_LIMITS.maxRecordBytes,
    ),
    maxInputBytes: pick(
      flags.maxInputBytes,
      '--max-input-bytes',
      MAX_INPUT_BYTES_VARIABLE,
      DEFAULT_INPUT_LIMITS.maxInputBytes,
    ),
  };
}

const SIZE = /^(\d+)\s*(B|KiB|MiB|GiB)?$/;
const UNITS: Record<string, number> = { B: 1, KiB: KIB, MiB: MIB, GiB: GIB };

/**
 * A size such as `65536`, `512KiB`, `64MiB` or `2GiB`; at least 1 byte.
 *
 * @throws UsageError naming `source` (the option or variable) when it is not one.
 */
export function parseByteSize(text: string, source: string): number {
  const match = SIZE.exec(text.trim());
  const bytes = match ? Number(match[1]) * (UNITS[match[2] ?? 'B'] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(
      `${source} must be a size in bytes, optionally with KiB, MiB or GiB (e.g. 64MiB); got "${text}"`,
    );
  }
  return bytes;
}

/** `67108864` -> `64 MiB`; sizes that are not whole units keep their bytes. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', GIB],
    ['MiB', MIB],
    ['KiB', KIB],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
