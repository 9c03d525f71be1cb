import { isCodedError } from '@linkwell/firmware-protocol';
import type { Command } from 'commander';

/** Runs a command line; a coded error is for people, so it prints its code and message, not a stack. */
export async function runProgram(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (isCodedError(e)) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}
