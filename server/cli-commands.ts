import type { Command } from 'commander';
import { registerAuthCommands } from '@server/modules/auth';
import { registerSpaceCommands } from '@server/modules/spaces';

/**
 * Registers each module's CLI subcommands (admin, space, handbook …) on the program. Each module
 * exports a `registerXxxCommands(program)` from its cli file; add one line per module here.
 */
export function registerModuleCommands(program: Command): void {
  registerAuthCommands(program);
  registerSpaceCommands(program);
}
