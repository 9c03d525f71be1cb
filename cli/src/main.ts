#!/usr/bin/env node
import { Command } from 'commander';
import { registerProtocol } from './commands/protocol.js';
import { registerServices } from './commands/services.js';
import { registerUp } from './commands/up.js';

const program = new Command()
  .name('linkwell')
  .description('Linkwell: home health devices under one account')
  .version('0.1.0')
  .showHelpAfterError();

registerUp(program);
registerServices(program);
registerProtocol(program);

await program.parseAsync(process.argv);
