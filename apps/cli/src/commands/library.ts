import type { Command } from 'commander'
import { type Bind, examples } from './index.js'

const load = () => import('../actions/library.js')

function library(command: Command): Command {
  return command
    .option('--library <url>', 'library API base URL (or WHARF_LIBRARY_URL)')
    .option('--token-stdin', 'read the bearer token from standard input (else WHARF_LIBRARY_TOKEN)')
}

/** `wharf library …`: the Sylabs Cloud Library commands. */
export function registerLibrary(program: Command, bind: Bind): void {
  const lib = program.command('library').description('Sylabs Cloud Library (container images)')
  examples(
    library(lib.command('version'))
      .description('show the API version')
      .action(bind(load, 'version')),
    ['wharf library version --library http://127.0.0.1:8080'],
  )
  examples(
    library(lib.command('search').argument('<term>', 'at least 3 characters'))
      .description('search entities, collections, containers and images')
      .option('--arch <arch>', 'only images of this architecture')
      .option('--signed', 'only signed images')
      .action(bind(load, 'search')),
    ['wharf library search alpine'],
  )
  examples(
    library(
      lib
        .command('pull')
        .argument('<ref>', 'library://entity/collection/container:tag')
        .argument('[file]', 'default: <container>_<tag>.sif'),
    )
      .description(
        'download an image, verified against its hash (ranged and concurrent when large)',
      )
      .option('--arch <arch>', 'architecture', 'amd64')
      .option('--concurrency <n>', 'parallel range requests', '3')
      .action(bind(load, 'pull')),
    ['wharf library pull library://alice/tools/alpine:latest alpine.sif'],
  )
  examples(
    library(
      lib
        .command('push')
        .argument('<file>')
        .argument('<ref>', 'library://entity/collection/container[:tag[,tag]]'),
    )
      .description('upload an image (multipart when the library supports it) and tag it')
      .option('--arch <arch>', 'architecture', 'amd64')
      .option('--description <text>', 'description of a new image record')
      .action(bind(load, 'push')),
    ['wharf library push alpine.sif library://alice/tools/alpine:3.9,latest'],
  )
  examples(
    library(lib.command('rm').argument('<ref>'))
      .description('delete an image')
      .option('--arch <arch>', 'architecture', 'amd64')
      .action(bind(load, 'rm')),
    ['wharf library rm library://alice/tools/alpine:3.9'],
  )
}
