import type { Command } from 'commander'
import { type Bind, examples } from './index.js'

const load = () => import('../actions/drp.js')

function endpoint(command: Command): Command {
  return command
    .option(
      '-E, --endpoint <url>',
      'dr-provision URL (or WHARF_DRP_ENDPOINT; default https://127.0.0.1:8092)',
    )
    .option('-U, --username <name>', 'user (or WHARF_DRP_USERNAME; default rocketskates)')
    .option(
      '--password-stdin',
      'read the password from standard input (else WHARF_DRP_PASSWORD, or WHARF_DRP_TOKEN)',
    )
}

/** `wharf drp …`: the Digital Rebar Provision commands. */
export function registerDrp(program: Command, bind: Bind): void {
  const drp = program.command('drp').description('Digital Rebar Provision (API v3)')
  examples(
    endpoint(drp.command('info')).description('show server information').action(bind(load, 'info')),
    ['wharf drp info'],
  )
  examples(
    endpoint(drp.command('list').argument('<type>', 'model type, e.g. machines'))
      .description('list objects, optionally filtered')
      .option(
        '--filter <args...>',
        'filter grammar: reverse | sort <idx> | limit <n> | offset <n> | <idx> Eq|Lt|Lte|Gt|Gte|Ne <v> | <idx> Between|Except <lo> <hi>',
      )
      .action(bind(load, 'list')),
    [
      'wharf drp list machines',
      'wharf drp list machines --filter Name Between a m sort Name limit 10',
    ],
  )
  examples(
    endpoint(drp.command('show').argument('<type>').argument('<key>', 'key, or Index:value'))
      .description('show one object')
      .action(bind(load, 'show')),
    ['wharf drp show machines Name:node1'],
  )
  examples(
    endpoint(
      drp.command('create').argument('<type>').argument('[file]', 'JSON or YAML; default stdin'),
    )
      .description('create an object')
      .action(bind(load, 'create')),
    ['wharf drp create profiles rack4.yaml', 'echo \'{"Name":"p1"}\' | wharf drp create profiles'],
  )
  examples(
    endpoint(
      drp
        .command('update')
        .argument('<type>')
        .argument('<key>')
        .argument('[file]', 'the new object, JSON or YAML; default stdin'),
    )
      .description('update an object with a JSON patch computed from its current state')
      .option('--paranoid', 'test the whole old object, so any concurrent change is refused')
      .action(bind(load, 'update')),
    ['wharf drp update machines Name:node1 node1.yaml --paranoid'],
  )
  examples(
    endpoint(drp.command('delete').argument('<type>').argument('<key>'))
      .description('delete an object')
      .action(bind(load, 'remove')),
    ['wharf drp delete profiles rack4'],
  )
  examples(
    endpoint(
      drp
        .command('events')
        .argument('[pattern...]', 'type.action.key patterns, * wildcards (default *.*.*)'),
    )
      .description('stream events (one JSON object a line) until interrupted')
      .option('--count <n>', 'stop after this many events')
      .action(bind(load, 'events')),
    ['wharf drp events machines.update.*'],
  )
  examples(
    endpoint(
      drp
        .command('upload')
        .argument('<kind>', 'iso or file')
        .argument('<path>')
        .argument('[name]', 'destination name; default the file name'),
    )
      .description('upload an ISO or a file (streamed)')
      .action(bind(load, 'upload')),
    ['wharf drp upload iso ./ubuntu.iso', 'wharf drp upload file ./script.sh tools/script.sh'],
  )
  examples(
    endpoint(drp.command('agent').argument('<machine>', 'machine key: Uuid or Name:<name>'))
      .description("run the machine agent: pick up the machine's tasks, run them, report back")
      .option('--agent-dir <dir>', 'where job directories go (default: a temporary directory)')
      .option('--exit-on-failure', 'stop at the first failed task')
      .option('--exit-on-not-runnable', 'stop when a wait for the machine times out')
      .option('--timeout <ms>', 'longest wait for the machine to change', '3600000')
      .option('--script-timeout <ms>', 'longest run of one task script', '3600000')
      .action(bind(load, 'agent')),
    ['wharf drp agent Name:node1.example.com --exit-on-failure'],
  )
  const contents = drp.command('contents').description('content bundles')
  examples(
    endpoint(contents.command('list'))
      .description('list content bundles')
      .action(bind(load, 'contentsList')),
    ['wharf drp contents list'],
  )
  examples(
    endpoint(contents.command('upload').argument('<file>', 'content bundle, JSON or YAML'))
      .description('create or replace a content bundle')
      .action(bind(load, 'contentsUpload')),
    ['wharf drp contents upload my-content.yaml'],
  )
  examples(
    endpoint(contents.command('rm').argument('<name>'))
      .description('delete a content bundle')
      .action(bind(load, 'contentsRm')),
    ['wharf drp contents rm my-content'],
  )
}
