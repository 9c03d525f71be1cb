#!/usr/bin/env node
import { isCodedError } from '@linkwell/firmware-protocol';
import { Command } from 'commander';
import { registerProtocol } from './commands/protocol.js';
import { registerServices } from './commands/services.js';
import { registerSim } from './commands/sim.js';
import { registerUp } from './commands/up.js';

const program = new Command()
  .name('linkwell')
  .description('Linkwell: home health devices under one account')
  .version('0.1.0')
  .showHelpAfterError();

registerUp(program);
registerServices(program);
registerSim(program);
registerProtocol(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Coded errors are for people: print the code and message, not a stack.
  if (isCodedError(e)) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
