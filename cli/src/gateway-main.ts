import { Command } from 'commander';
import { registerGatewayRun } from './gateway/run-command.js';
import { runProgram } from './run-program.js';

// `linkwell-gateway`: the home gateway's own entry point, for its service unit. It loads the gateway and
// nothing else of the CLI; its bin starts Node with the small-board flags (docs/benchmarks.md).
const program = new Command()
  .name('linkwell-gateway')
  .description(
    'Linkwell home gateway: BLE health devices to MQTT (setup commands: `linkwell gateway --help`)',
  )
  .version('0.1.0')
  .showHelpAfterError();
registerGatewayRun(program);

await runProgram(program);
