/**
 * The setting of a CLI test: a fresh temporary directory for the inputs it writes,
 * and no tag key variables from the developer's shell (so the default keys apply).
 */
import { type ClearedEnv, clearEnv } from './env';
import { loadMacieEvent, type MacieEventName, type RawEvent } from './fixtures';
import { createTempDir, type TempDir } from './temp-dir';

const TAG_KEY_VARIABLES = ['CLASSIFICATION_TAG_KEY', 'TOPIC_TAG_KEY', 'TEAM_TAG_KEY'] as const;

export interface CliWorkspace {
  /** This test's directory. */
  readonly dir: TempDir;
  /** Fixture events, each changed by `edit`, as one JSON array file. */
  writeEvents(
    name: string,
    events: readonly MacieEventName[],
    edit?: (event: RawEvent, index: number) => void,
  ): string;
  /** Fixture events, each changed by `edit`, as JSON Lines. */
  writeEventLines(
    name: string,
    events: readonly MacieEventName[],
    edit?: (event: RawEvent, index: number) => void,
  ): string;
}

/** Registers the set-up and clean-up of each test of the enclosing `describe`. */
export function useCliWorkspace(): CliWorkspace {
  let current: TempDir | undefined;
  let tagKeys: ClearedEnv | undefined;

  beforeEach(() => {
    current = createTempDir();
    tagKeys = clearEnv(TAG_KEY_VARIABLES);
  });

  afterEach(() => {
    current?.remove();
    tagKeys?.restore();
  });

  const dir = (): TempDir => {
    if (current === undefined) throw new Error('the CLI workspace is used outside a test');
    return current;
  };
  const load = (
    events: readonly MacieEventName[],
    edit: (event: RawEvent, index: number) => void,
  ): RawEvent[] =>
    events.map((name, index) => {
      const event = loadMacieEvent(name);
      edit(event, index);
      return event;
    });

  return {
    get dir() {
      return dir();
    },
    writeEvents: (name, events, edit = () => {}) =>
      dir().write(name, JSON.stringify(load(events, edit), null, 2)),
    writeEventLines: (name, events, edit = () => {}) =>
      dir().write(
        name,
        `${load(events, edit)
          .map((event) => JSON.stringify(event))
          .join('\n')}\n`,
      ),
  };
}
