#!/usr/bin/env node
import { Command } from 'commander';
import { registerExport } from './commands/export.js';
import { registerProtocol } from './commands/protocol.js';
import { registerServices } from './commands/services.js';
import { registerSim } from './commands/sim.js';
import { registerUp } from './commands/up.js';
import { runProgram } from './run-program.js';

const program = new Command()
  .name('linkwell')
  .description('Linkwell: home health devices under one account')
  .version('0.1.0')
  .showHelpAfterError();

registerUp(program);
registerServices(program);
registerSim(program);
registerProtocol(program);
registerExport(program);

await runProgram(program);
