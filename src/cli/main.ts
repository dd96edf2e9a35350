#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { fail } from './errors.js';
import { register as registerScenarios } from './scenarios.js';
import { register as registerValidate } from './validate.js';
import { register as registerSimulate } from './simulate.js';
import { register as registerStart } from './start.js';
import { register as registerBench } from './bench.js';
import { register as registerReport } from './report.js';
import { register as registerOracle } from './oracle.js';
import { register as registerTrain } from './train.js';
import { register as registerEvaluate } from './evaluate.js';
import { register as registerServe } from './serve.js';
import { register as registerRecommend } from './recommend.js';
import { register as registerDecisions } from './decisions.js';
import { register as registerWorker } from './worker.js';

/** Every command registers itself here; one file per command under src/cli/. */
const COMMANDS: ((program: Command) => void)[] = [registerScenarios, registerValidate, registerSimulate, registerStart, registerBench, registerReport, registerOracle, registerTrain, registerEvaluate, registerServe, registerRecommend, registerDecisions, registerWorker];

/** The version in allocsim's package.json (found upward from this file: src/cli or dist/src/cli). */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    const file = new URL('package.json', dir);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'allocsim' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

const program = new Command('allocsim')
  .description('Order-allocation simulator, policy trainer and policy service')
  .version(packageVersion(), '-v, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version exit 0; every usage error exits 2 with commander's one-line message.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  fail(err);
}
