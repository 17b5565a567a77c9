import type { Command } from 'commander'
import type { Bind } from './index.js'

/** `wharf mock`: serve the embedded mock servers. */
export function registerMock(program: Command, bind: Bind): void {
  program
    .command('mock')
    .argument('[protocol...]', 'oci, docker, library, charm, drp (default: all)')
    .option('--port <n>', 'first port (each mock takes two consecutive ports); default: free ports')
    .description("serve the packages' in-memory mock servers on 127.0.0.1 until interrupted")
    .addHelpText('after', '\nExamples:\n  $ wharf mock\n  $ wharf mock oci --port 5000\n')
    .action(bind(() => import('../actions/mock.js'), 'mock'))
}
