#!/usr/bin/env node
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

const program = new Command('allocsim')
  .description('Order-allocation simulator, policy trainer and policy service')
  .version('0.1.0')
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
