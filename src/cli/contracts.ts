import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { CONTRACT_MODES, type ContractMode } from '../sim/scenario/index.js';

/**
 * The `--contracts hard|soft` option every command that runs or plans a scenario shares:
 * it overrides the scenario's `contracts` field (hard: commitments are constraints met
 * whenever supply allows; soft: the shortfall penalty is a price). A bad value is one line
 * naming it, exit 2.
 */
export function addContractsOption(command: Command): Command {
  return command.option(
    '--contracts <mode>',
    "contract commitments: hard (constraints met whenever supply allows) or soft (the shortfall penalty is a price); default the scenario's",
    parseContracts,
  );
}

/** Parses the option's value; the error names it. */
export function parseContracts(value: string): ContractMode {
  if (!(CONTRACT_MODES as readonly string[]).includes(value)) throw new UsageError(`--contracts(=${value}) must be ${CONTRACT_MODES.join(' or ')}`);
  return value as ContractMode;
}
