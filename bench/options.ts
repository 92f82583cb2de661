/** What `npm run bench -- ...` asks for. */
export interface BenchOptions {
  /** Only these sections (cost always reads what the others measured in this run). */
  readonly only?: readonly string[];
  /** Exit 1 when a budget is missed. */
  readonly check: boolean;
}

/** The bench's command-line arguments, checked. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let only: string[] | undefined;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--check') check = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (list === undefined || list.trim() === '') {
        throw new Error('--only needs a comma-separated list of sections, e.g. --only cli,cost');
      }
      only = list
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
    } else {
      throw new Error(`unknown argument "${arg}"; the bench takes --only name,... and --check`);
    }
  }
  return { check, ...(only ? { only } : {}) };
}

/** Sections that come first, in this order; cost always runs last (it reads the others). */
const FIRST = ['cli', 'coldStart', 'handler', 'configRule', 'peer'];
const LAST = 'cost';

/** The sections in the order they run, keeping those `only` names (all when absent). */
export function selectSections<T extends { readonly name: string }>(
  sections: readonly T[],
  only?: readonly string[],
): T[] {
  if (only) {
    const known = new Set(sections.map(({ name }) => name));
    const unknown = only.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `--only names no section ${unknown.map((name) => `"${name}"`).join(', ')}; the sections are ${[...known].sort().join(', ')}`,
      );
    }
  }
  const rank = (name: string): number => {
    if (name === LAST) return Number.POSITIVE_INFINITY;
    const index = FIRST.indexOf(name);
    return index === -1 ? FIRST.length : index;
  };
  return sections
    .filter(({ name }) => !only || only.includes(name))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
