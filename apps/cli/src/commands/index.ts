import type { Command } from 'commander'
import type { Handler } from '../cli.js'
import { registerCharm } from './charm.js'
import { registerDemo } from './demo.js'
import { registerDocker } from './docker.js'
import { registerDrp } from './drp.js'
import { registerLibrary } from './library.js'
import { registerMock } from './mock.js'
import { registerOci } from './oci.js'

/** Binds a lazily loaded handler to a commander action. */
export type Bind = (
  load: () => Promise<Record<string, Handler>>,
  name: string,
) => (...args: unknown[]) => Promise<void>

/** Appends an "Examples:" block to a command's help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`)
}

/** Adds every command group to the program. */
export function registerGroups(program: Command, bind: Bind): void {
  registerOci(program, bind)
  registerDocker(program, bind)
  registerCharm(program, bind)
  registerLibrary(program, bind)
  registerDrp(program, bind)
  registerMock(program, bind)
  registerDemo(program, bind)
}
