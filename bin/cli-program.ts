import { Command, Help, type HelpContext, Option } from 'commander';
import { alternatives, closest, didYouMean } from './cli-suggest';
import { UsageError } from './usage-error';

export const PROGRAM = 'bucket-classification';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stderrIsTty: boolean;
}

/** What every command's action is given, and where it leaves its exit code. */
export class Cli {
  /** The exit code of the action that ran. */
  exitCode = 0;

  constructor(
    readonly io: Io,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** A command's action: what `run` returns is the exit code. */
  action<A extends unknown[]>(
    run: (...args: A) => number | Promise<number>,
  ): (...args: A) => Promise<void> {
    return async (...args) => {
      this.exitCode = await run(...args);
    };
  }
}

/** One example in a command's help: what it does, then the command line. */
export interface Example {
  readonly does: string;
  readonly run: string;
}

export interface CommandDocs {
  /**
   * The forms of the command line after the command's name, as the usage shows
   * them; `\n` breaks a long form, its next part aligned under the first.
   */
  readonly synopsis: readonly string[];
  readonly examples: readonly [Example, ...Example[]];
}

const docsByCommand = new WeakMap<Command, CommandDocs>();

/** Gives a command the synopsis and examples its help (and the overall help) shows. */
export function document(command: Command, docs: CommandDocs): Command {
  docsByCommand.set(command, docs);
  return command;
}

/** An option that is off unless given; help shows `(default: false)`. */
export function flag(flags: string, description: string): Option {
  return new Option(flags, description).default(false);
}

/**
 * An option whose default is decided when the command runs (a variable, a
 * shipped file, another option): it holds no value unless given, and help shows
 * `(default: <text>)`.
 */
export function optionDefaulting(flags: string, description: string, text: string): Option {
  return new Option(flags, description).default(undefined, text);
}

/** An option the command cannot run without; help says so. */
export function requiredOption(flags: string, description: string): Option {
  return new Option(flags, `${description} (required)`);
}

/**
 * The command line, built anew for each run (commander keeps the parsed values
 * on the commands). `register` adds the commands, one small function each.
 */
export function createProgram(
  cli: Cli,
  version: string,
  register: readonly ((program: Command, cli: Cli) => void)[],
): Command {
  const program = new CliCommand(PROGRAM)
    .description(
      'Checks that what Amazon Macie finds in an S3 bucket is allowed at the data ' +
        'classification the bucket declares in its tags, and what the AWS Config rule ' +
        'would say of the tags themselves.',
    )
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .configureOutput({
      writeOut: cli.io.stdout,
      writeErr: cli.io.stderr,
    })
    .exitOverride();
  for (const add of register) add(program, cli);
  return program;
}

/**
 * A command whose errors are usage errors in the project's words (naming the
 * option or command, with the nearest valid one), and whose help shows the
 * synopsis and examples. Settings are copied to subcommands as they are added.
 */
class CliCommand extends Command {
  override createCommand(name?: string): Command {
    return new CliCommand(name);
  }

  override createHelp(): Help {
    return Object.assign(new CliHelp(), this.configureHelp());
  }

  override error(message: string, errorOptions?: { code?: string }): never {
    throw new UsageError(usageMessage(this, message, errorOptions?.code));
  }

  /** Commander asks for help as an error when a command needs a subcommand and got none. */
  override help(context?: HelpContext | ((text: string) => string)): never {
    if (typeof context === 'object' && context.error) {
      const [first, second] = this.args;
      // `help NAME` of a name that is no command ends up here too.
      throw new UsageError(
        first === 'help' && second !== undefined
          ? unknownCommandMessage(this, second)
          : missingCommandMessage(this),
      );
    }
    return super.help(context as HelpContext);
  }
}

function usageMessage(command: Command, message: string, code: string | undefined): string {
  switch (code) {
    case 'commander.unknownOption': {
      // Commander hands over the flag only inside its own message.
      const flag = /unknown option '(.*)'/s.exec(message)?.[1] ?? message;
      const names = commandAndAncestors(command).flatMap((c) =>
        c.options.filter((o) => !o.hidden && o.long).map((o) => o.long as string),
      );
      const suggestions = flag.startsWith('--') ? closest(flag, names, 1) : [];
      return `Unknown option '${flag}'${didYouMean(suggestions)}`;
    }
    case 'commander.unknownCommand':
      return unknownCommandMessage(command, command.args[0] ?? '');
    case 'commander.excessArguments': {
      const expected = command.registeredArguments.map((argument) => argument.name());
      const extra = command.args[expected.length] ?? '';
      if (expected.length === 0) {
        return `${commandName(command)} takes no arguments besides its options; got "${extra}"`;
      }
      const most = expected.length === 1 ? `one ${expected[0]}` : expected.join(', ');
      return `${commandName(command)} takes at most ${most}; got "${extra}" too`;
    }
    default:
      return message.replace(/^error: /, '');
  }
}

function unknownCommandMessage(command: Command, name: string): string {
  const names = subcommandNames(command);
  const suggestion = didYouMean(closest(name, names, 1));
  return command.parent === null
    ? `unknown command "${name}"${suggestion}`
    : `unknown ${commandName(command)} subcommand "${name}" (expected ${alternatives(names)})${suggestion}`;
}

function missingCommandMessage(command: Command): string {
  return command.parent === null
    ? `a command is required: ${alternatives(subcommandNames(command))}`
    : `${commandName(command)} needs a subcommand: ${alternatives(subcommandNames(command))}`;
}

/** The names of a command's subcommands, as its help lists them (less `help`). */
function subcommandNames(command: Command): string[] {
  return command
    .createHelp()
    .visibleCommands(command)
    .map((c) => c.name())
    .filter((name) => name !== 'help');
}

function commandAndAncestors(command: Command): Command[] {
  const chain: Command[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) chain.push(c);
  return chain;
}

/** `policy explain`: the command's words after the program's name. */
function commandName(command: Command): string {
  return commandAndAncestors(command)
    .reverse()
    .slice(1)
    .map((c) => c.name())
    .join(' ');
}

/** The usage lines: each form of each command under `command`, as the synopsis block shows them. */
export function synopsisLines(command: Command): string[] {
  const docs = docsByCommand.get(command);
  if (docs === undefined) return command.commands.flatMap(synopsisLines);
  const prefix = `${PROGRAM} ${commandName(command)} `;
  return docs.synopsis.flatMap((form) =>
    form
      .split('\n')
      .map((part, i) => `  ${i === 0 ? prefix : ' '.repeat(prefix.length)}${part}`.trimEnd()),
  );
}

/** A command's own examples; a group's, the first example of each of its commands. */
function examplesOf(command: Command): readonly Example[] {
  const docs = docsByCommand.get(command);
  return docs?.examples ?? command.commands.flatMap((sub) => examplesOf(sub).slice(0, 1));
}

/**
 * Commander's help with the project's usage block (every form of the command
 * line) in place of its one-line usage, defaults shown for every option, and
 * examples at the end.
 */
class CliHelp extends Help {
  override formatHelp(command: Command, helper: Help): string {
    const standard = super.formatHelp(command, helper);
    const afterUsage = standard.slice(standard.indexOf('\n'));
    const usage = ['Usage:', ...synopsisLines(command)];
    if (command.parent === null) {
      usage.push(`  ${PROGRAM} <command> [<subcommand>] --help`, `  ${PROGRAM} --help | --version`);
    }
    const examples = examplesOf(command).flatMap(({ does, run }) => [
      `  ${does}`,
      `    ${PROGRAM} ${run}`,
    ]);
    const more =
      command.parent === null
        ? [
            '',
            'Tag keys come from CLASSIFICATION_TAG_KEY, TOPIC_TAG_KEY and TEAM_TAG_KEY',
            '(defaults DataClassification, SupportSNSTopic, Team); allowed topic accounts from',
            'ALLOWED_TOPIC_ACCOUNTS unless --allowed-topic-accounts is given.',
            `Run "${PROGRAM} <command> --help" (or <command> <subcommand> --help) for its options,`,
            'their defaults, exit codes and examples.',
          ]
        : [];
    return `${usage.join('\n')}${afterUsage.trimEnd()}\n\n${['Examples:', ...examples, ...more].join('\n')}\n`;
  }

  /** Also shows the default of an option decided when the command runs (see optionDefaulting). */
  override optionDescription(option: Option): string {
    const described = super.optionDescription(option);
    return option.defaultValue === undefined && option.defaultValueDescription
      ? `${described} (default: ${option.defaultValueDescription})`
      : described;
  }
}
