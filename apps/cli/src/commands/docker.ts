import type { Command } from 'commander'
import { type Bind, examples } from './index.js'

const load = () => import('../actions/docker.js')

/** `wharf docker …`: Docker's registry dialect (names like `ubuntu` work). */
export function registerDocker(program: Command, bind: Bind): void {
  const docker = program
    .command('docker')
    .description('Docker registries and Docker Hub (WHARF_DOCKER_HUB_URL points Hub elsewhere)')
  examples(
    docker
      .command('login')
      .argument('[registry]', 'registry host (default Docker Hub)')
      .requiredOption('-u, --username <name>', 'user name')
      .option(
        '--password-stdin',
        'read the password from standard input (else WHARF_DOCKER_PASSWORD)',
      )
      .description('log in and store the credentials in the docker config or its credential helper')
      .action(bind(load, 'login')),
    ['echo "$PASSWORD" | wharf docker login -u alice --password-stdin localhost:5000'],
  )
  examples(
    docker
      .command('logout')
      .argument('[registry]', 'registry host (default Docker Hub)')
      .description('forget stored credentials')
      .action(bind(load, 'logout')),
    ['wharf docker logout localhost:5000'],
  )
  examples(
    docker
      .command('search')
      .argument('<term>', 'search term, or host/term for another registry')
      .option('--limit <n>', 'results, 1 to 100', '25')
      .description('search Docker Hub')
      .action(bind(load, 'search')),
    ['wharf docker search redis --limit 10'],
  )
  examples(
    docker
      .command('tags')
      .argument('<name>', 'image name, e.g. ubuntu')
      .description('list tags')
      .action(bind(load, 'tags')),
    ['wharf docker tags ubuntu', 'wharf docker tags localhost:5000/app'],
  )
  examples(
    docker
      .command('inspect')
      .argument('<name>', 'image name with tag or digest')
      .description('show the manifest of an image')
      .action(bind(load, 'inspect')),
    ['wharf docker inspect ubuntu:22.04'],
  )
}
