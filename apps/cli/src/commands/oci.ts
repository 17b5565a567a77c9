import { type Command, Option } from 'commander'
import { type Bind, examples } from './index.js'

const load = () => import('../actions/oci.js')

function credentials(command: Command): Command {
  return command
    .option('-u, --username <name>', 'registry user (or WHARF_REGISTRY_USERNAME)')
    .option('--password-stdin', 'read the password from standard input')
}

/** `wharf oci …`: the OCI distribution commands. */
export function registerOci(program: Command, bind: Bind): void {
  const oci = program.command('oci').description('OCI registries (distribution spec 1.1)')

  examples(
    credentials(oci.command('ping').argument('<registry>', 'registry host[:port]'))
      .description('check that a host speaks the distribution API')
      .action(bind(load, 'ping')),
    ['wharf oci ping localhost:5000'],
  )
  examples(
    credentials(oci.command('tags').argument('<repository>', 'registry/repository'))
      .description('list the tags of a repository')
      .option('-n, --page-size <n>', 'tags per request')
      .action(bind(load, 'tags')),
    ['wharf oci tags localhost:5000/library/alpine', 'wharf --json oci tags localhost:5000/app'],
  )
  examples(
    credentials(
      oci.command('manifest').argument('<reference>', 'registry/repository:tag or @digest'),
    )
      .description('show a manifest (verified against its digest)')
      .option('--platform <os/arch[/variant]>', 'pick this platform from an index')
      .option('--raw', 'print the exact bytes the registry sent')
      .action(bind(load, 'manifest')),
    [
      'wharf oci manifest localhost:5000/app:1.0',
      'wharf oci manifest --platform linux/arm64 localhost:5000/app:1.0',
    ],
  )
  examples(
    credentials(
      oci.command('pull').argument('<reference>').argument('<dir>', 'OCI image layout directory'),
    )
      .description('pull an image or index into an OCI image layout')
      .option('--platform <os/arch[/variant]>', 'only this platform of an index')
      .action(bind(load, 'pull')),
    ['wharf oci pull localhost:5000/app:1.0 ./app-layout'],
  )
  examples(
    credentials(
      oci.command('push').argument('<dir>', 'OCI image layout directory').argument('<reference>'),
    )
      .description('push an image from an OCI image layout')
      .option(
        '--from <name>',
        'the layout tag (org.opencontainers.image.ref.name) to push; default the reference tag',
      )
      .action(bind(load, 'push')),
    ['wharf oci push ./app-layout localhost:5000/app:1.0'],
  )
  examples(
    credentials(oci.command('copy').argument('<source>').argument('<destination>'))
      .description('copy an image between repositories or registries (mounts when it can)')
      .option('--platform <os/arch[/variant]...>', 'only these platforms of an index')
      .addOption(new Option('--concurrency <n>', 'blobs copied at once').default('4'))
      .action(bind(load, 'copy')),
    ['wharf oci copy localhost:5000/app:1.0 localhost:6000/mirror/app:1.0'],
  )
  const blob = oci.command('blob').description('blobs by digest')
  examples(
    credentials(
      blob
        .command('get')
        .argument('<reference>', 'registry/repository@digest')
        .argument('[file]', 'default: stdout'),
    )
      .description('download a blob (verified)')
      .action(bind(load, 'blobGet')),
    ['wharf oci blob get localhost:5000/app@sha256:… layer.tar.gz'],
  )
  examples(
    credentials(blob.command('put').argument('<repository>').argument('<file>'))
      .description('upload a file as a blob and print its digest')
      .action(bind(load, 'blobPut')),
    ['wharf oci blob put localhost:5000/app ./config.json'],
  )
  examples(
    credentials(blob.command('rm').argument('<reference>', 'registry/repository@digest'))
      .description('delete a blob')
      .action(bind(load, 'blobRm')),
    ['wharf oci blob rm localhost:5000/app@sha256:…'],
  )
  examples(
    credentials(
      oci.command('referrers').argument('<reference>', 'registry/repository@digest or :tag'),
    )
      .description('list the artifacts that refer to a manifest')
      .option('--artifact-type <type>', 'only this artifact type')
      .action(bind(load, 'referrers')),
    ['wharf oci referrers localhost:5000/app:1.0'],
  )
  examples(
    credentials(oci.command('catalog').argument('<registry>'))
      .description("list the registry's repositories (where offered)")
      .action(bind(load, 'catalog')),
    ['wharf oci catalog localhost:5000'],
  )
  examples(
    credentials(
      oci
        .command('tag')
        .argument('<reference>', 'registry/repository:tag or @digest')
        .argument('<tags...>', 'new tags for the same manifest'),
    )
      .description('put more tags on a manifest (one request where the registry allows)')
      .action(bind(load, 'tag')),
    ['wharf oci tag localhost:5000/app:1.0.1 1.0 latest'],
  )
  examples(
    credentials(oci.command('rm').argument('<reference>', 'registry/repository:tag or @digest'))
      .description('delete a manifest (a tag is resolved to its digest first)')
      .action(bind(load, 'rm')),
    ['wharf oci rm localhost:5000/app:old'],
  )
}
