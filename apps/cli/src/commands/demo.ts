import type { Command } from 'commander'
import type { Bind } from './index.js'

/** `wharf demo`: the README's main job. */
export function registerDemo(program: Command, bind: Bind): void {
  program
    .command('demo')
    .description('start the embedded mocks and run a verified round trip through the commands')
    .addHelpText('after', '\nExamples:\n  $ wharf demo\n')
    .action(bind(() => import('../actions/demo.js'), 'demo'))
}
