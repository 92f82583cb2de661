import type { Command } from 'commander';
import { DEFAULT_WAIVERS_FILE, loadWaivers } from '../policies/load-waivers';
import { type Cli, document, optionDefaulting } from './cli-program';
import { FORMATS } from './report';
import {
  parseExpiringDays,
  parseWaiversFormat,
  runWaiversList,
  runWaiversValidate,
} from './waivers-command';

const FILE_DEFAULT = 'the waivers shipped beside the default policy';

/** `waivers`: checks and lists the waivers file. */
export function waiversCommands(program: Command, cli: Cli): void {
  const waivers = program
    .command('waivers')
    .summary('check a waivers file, or list its waivers with their expiry')
    .description('Checks a waivers file, or lists its waivers with their expiry.');
  waiversValidateCommand(waivers, cli);
  waiversListCommand(waivers, cli);
}

function waiversValidateCommand(waivers: Command, cli: Cli): void {
  const command = waivers
    .command('validate')
    .summary('check a waivers file and count its active and expired waivers')
    .description(
      `Checks a waivers file (default: ${FILE_DEFAULT}) and counts its active and expired ` +
        'waivers.\n\nExit 0; 2 on usage errors or an invalid waivers file.',
    )
    .argument('[file]', `the waivers file (default: ${FILE_DEFAULT})`)
    .action(
      cli.action((file: string | undefined) =>
        runWaiversValidate({
          waivers: loadWaivers(file ?? DEFAULT_WAIVERS_FILE),
          now: new Date(),
          stdout: cli.io.stdout,
        }),
      ),
    );
  document(command, {
    synopsis: ['[FILE]'],
    examples: [{ does: 'Check the shipped waivers:', run: 'waivers validate' }],
  });
}

interface ListFlags {
  readonly format: string;
  readonly expiring?: string;
}

function waiversListCommand(waivers: Command, cli: Cli): void {
  const command = waivers
    .command('list')
    .summary('show each waiver with its expiry and days left')
    .description(
      'Shows each waiver with its expiry and days left; --expiring DAYS only the active ' +
        'ones ending within DAYS days.\n\nExit 0; 2 on usage errors or an invalid waivers file.',
    )
    .argument('[file]', `the waivers file (default: ${FILE_DEFAULT})`)
    .option('--format <FORMAT>', `the output: ${FORMATS.join(', ')}`, 'table')
    .addOption(
      optionDefaulting(
        '--expiring <DAYS>',
        'only the active waivers ending within DAYS days (0: today)',
        'every waiver',
      ),
    )
    .action(
      cli.action((file: string | undefined, flags: ListFlags) => {
        const format = parseWaiversFormat(flags.format);
        const days = flags.expiring === undefined ? undefined : parseExpiringDays(flags.expiring);
        return runWaiversList({
          waivers: loadWaivers(file ?? DEFAULT_WAIVERS_FILE),
          now: new Date(),
          format,
          ...(days === undefined ? {} : { expiring: days }),
          stdout: cli.io.stdout,
        });
      }),
    );
  document(command, {
    synopsis: ['[FILE] [--format table|json|csv] [--expiring DAYS]'],
    examples: [{ does: 'The waivers that end within 30 days:', run: 'waivers list --expiring 30' }],
  });
}
