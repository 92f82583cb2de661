#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CommanderError } from 'commander';
import { InvalidFileError } from '../lib/errors';
import { inert, inertLines, MAX_MESSAGE } from '../policies/untrusted-text';
import { EXIT_OK, EXIT_USAGE } from './check-command';
import { checkCommand } from './cli-check';
import { ledgerCommands } from './cli-ledger';
import { macieCommands } from './cli-macie';
import { onboardingCommands } from './cli-onboarding';
import { policyCommands } from './cli-policy';
import { Cli, createProgram, type Io } from './cli-program';
import { smokeCommand } from './cli-smoke';
import { tagsCommand } from './cli-tags';
import { waiversCommands } from './cli-waivers';
import { UsageError } from './usage-error';

/** The commands, in the order help lists them; each adds itself to the program. */
const COMMANDS = [
  checkCommand,
  tagsCommand,
  onboardingCommands,
  policyCommands,
  waiversCommands,
  macieCommands,
  ledgerCommands,
  smokeCommand,
] as const;

/** Commander's codes for a parse that ended once help or the version was printed. */
const FINISHED_EARLY = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const cli = new Cli(io, process.env);
  try {
    await createProgram(cli, version(), COMMANDS).parseAsync([...argv], { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    // Help and --version end the parse early; commander reports that as an "error".
    if (error instanceof CommanderError && FINISHED_EARLY.has(error.code)) return EXIT_OK;
    if (error instanceof UsageError || error instanceof InvalidFileError) {
      io.stderr(`bucket-classification: ${errorText(error)}\n`);
      if (error instanceof UsageError) io.stderr('Run "bucket-classification --help" for usage.\n');
      return EXIT_USAGE;
    }
    throw error;
  }
}

/**
 * An error for stderr. A file error lists one problem a line and makes the file
 * name, keys and values in each inert as it is built; any other message is one
 * line, so a line break in it is untrusted.
 */
function errorText(error: Error): string {
  return error instanceof InvalidFileError
    ? inertLines(error.message.split('\n'))
    : inert(error.message, MAX_MESSAGE);
}

function version(): string {
  const manifest = path.join(__dirname, '..', '..', 'package.json');
  const fallback = path.join(__dirname, '..', 'package.json');
  for (const file of [manifest, fallback]) {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      // try the next location: compiled (dist/bin) and source (bin) layouts differ
    }
  }
  return 'unknown';
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `bucket-classification: unexpected error: ${inert(String(error), MAX_MESSAGE)}\n`,
      );
      process.exitCode = EXIT_USAGE;
    },
  );
}
