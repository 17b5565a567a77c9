import type { Command } from 'commander'
import { type Bind, examples } from './index.js'

const load = () => import('../actions/charm.js')

function store(command: Command, withChannel = true): Command {
  command
    .option('--store <url>', 'charm store API root (or WHARF_CHARMSTORE_URL)')
    .option(
      '-u, --username <name>',
      'basic-auth user (or WHARF_CHARMSTORE_USERNAME); default: macaroon login',
    )
    .option('--password-stdin', 'read the basic-auth password from standard input')
  return withChannel
    ? command.option('--channel <channel>', 'stable, candidate, beta, edge or unpublished')
    : command
}

/** `wharf charm …`: the Juju charm store commands. */
export function registerCharm(program: Command, bind: Bind): void {
  const charm = program.command('charm').description('Juju charm store (v5 API)')
  examples(
    store(charm.command('show').argument('<id>', 'charm or bundle id, e.g. cs:~bob/wordpress'))
      .description('show metadata of a charm or bundle')
      .option(
        '--include <names>',
        'comma-separated meta includes',
        'id,charm-metadata,supported-series,published',
      )
      .action(bind(load, 'show')),
    [
      'wharf charm show cs:~bob/wordpress',
      'wharf charm show ~bob/wordpress --include archive-size,extra-info/digest',
    ],
  )
  examples(
    store(
      charm.command('pull').argument('<id>').argument('[file]', 'default: <name>-<revision>.zip'),
    )
      .description('download an archive (SHA-384 verified)')
      .action(bind(load, 'pull')),
    ['wharf charm pull cs:~bob/wordpress-3'],
  )
  examples(
    store(
      charm
        .command('push')
        .argument('<dir>', 'charm or bundle directory (or .zip)')
        .argument('<id>', 'target id without revision'),
    )
      .description('zip (deterministically) and upload a charm or bundle')
      .option('--bundle', 'the directory is a bundle')
      .action(bind(load, 'push')),
    ['wharf charm push ./hello ~alice/focal/hello'],
  )
  examples(
    store(charm.command('publish').argument('<id>', 'id with revision'), false)
      .description('publish a revision to channels')
      .requiredOption('--channel <channel...>', 'channels to publish to')
      .option('--resource <name=revision...>', 'resource revisions to publish with it')
      .action(bind(load, 'publish')),
    ['wharf charm publish ~alice/hello-0 --channel stable --resource greeting=0'],
  )
  examples(
    store(charm.command('attach').argument('<id>').argument('<resource>', 'name=file'))
      .description('upload a resource file (multipart from 5 MiB, with progress)')
      .action(bind(load, 'attach')),
    ['wharf charm attach ~alice/hello-0 greeting=./greeting.txt'],
  )
  examples(
    store(charm.command('whoami'))
      .description('show the logged-in user and groups')
      .action(bind(load, 'whoami')),
    ['wharf charm whoami --store http://127.0.0.1:7480'],
  )
  examples(
    store(charm.command('login'))
      .description('log in (macaroon discharge) and check it')
      .action(bind(load, 'login')),
    ['wharf charm login --store http://127.0.0.1:7480'],
  )
}
