import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MediaType } from '@wharf/distribution'
import { openLayout } from '@wharf/distribution/node'
import { digestOf } from '@wharf/transfer'
import { type Handler, run } from '../cli.js'
import type { Context } from '../io.js'
import { startMocks, stopMocks } from '../mocks.js'

/** A step failed its check. */
class DemoError extends Error {}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** Writes a one-layer image into a new OCI layout and returns what the demo checks later. */
async function buildImage(dir: string, tag: string) {
  const layout = await openLayout(dir, { create: true })
  const put = async (mediaType: string, bytes: Uint8Array<ArrayBuffer>) => {
    const descriptor = { mediaType, digest: digestOf(bytes).toString(), size: bytes.byteLength }
    await layout.push(descriptor, new Blob([bytes]).stream())
    return descriptor
  }
  const layer = new TextEncoder().encode('hello from wharf\n'.repeat(4096))
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  )
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: await put(MediaType.ImageConfig, config),
      layers: [await put(MediaType.ImageLayer, layer)],
    }),
  )
  const root = await put(MediaType.ImageManifest, manifest)
  await layout.tag(root, tag)
  return { manifestDigest: root.digest, layerDigest: sha256(layer) }
}

export const demo: Handler = async (ctx) => {
  const work = await mkdtemp(join(tmpdir(), 'wharf-demo-'))
  const mocks = await startMocks([])
  const say = (line: string) => void ctx.io.stdout.write(`${line}\n`)
  // Each step runs a real `wharf` command in this process and captures what it printed.
  const wharf = async (args: string[]) => {
    let out = ''
    const io = {
      ...ctx.io,
      stdout: Object.assign(Object.create(ctx.io.stdout), {
        write: (chunk: string | Uint8Array) => {
          out += String(chunk)
          return true
        },
      }),
    }
    say(`$ wharf ${args.join(' ')}`)
    const code = await run(['--json', ...args], io as Context['io'], ctx.signal)
    if (code !== 0) throw new DemoError(`wharf ${args.join(' ')} exited ${code}`)
    return out ? JSON.parse(out) : undefined
  }
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new DemoError(`check failed: ${what}`)
    say(`  ✓ ${what}`)
  }
  try {
    for (const [name, mock] of Object.entries(mocks)) say(`mock ${name} at ${mock.url}`)
    const registry = new URL(mocks.oci!.url).host
    const ref = `${registry}/demo/hello:1.0`
    const image = await buildImage(join(work, 'image'), '1.0')
    await writeFile(
      join(work, 'machine.yaml'),
      'Name: demo.example.com\nDescription: made by wharf demo\n',
    )

    const pushed = await wharf(['oci', 'push', join(work, 'image'), ref])
    check(pushed.digest === image.manifestDigest, `pushed ${ref} as ${pushed.digest}`)
    const tags: string[] = await wharf(['oci', 'tags', `${registry}/demo/hello`])
    check(tags.includes('1.0'), `tag 1.0 listed (${tags.join(', ')})`)
    await wharf(['oci', 'pull', ref, join(work, 'pulled')])
    const layer = await readFile(
      join(work, 'pulled', 'blobs', 'sha256', image.layerDigest.slice(7)),
    )
    check(
      sha256(layer) === image.layerDigest,
      `pulled layer verified (${image.layerDigest.slice(0, 19)}…)`,
    )

    const lib = ['--library', mocks.library!.url]
    const sif = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 256)
    await writeFile(join(work, 'hello.sif'), sif)
    await wharf([
      'library',
      'push',
      join(work, 'hello.sif'),
      'library://demo/tools/hello:1.0',
      ...lib,
    ])
    const pulledSif = await wharf([
      'library',
      'pull',
      'library://demo/tools/hello:1.0',
      join(work, 'hello-pulled.sif'),
      ...lib,
    ])
    const sifBack = await readFile(join(work, 'hello-pulled.sif'))
    check(
      sha256(sifBack) === sha256(sif) && pulledSif.hash === `sha256.${sha256(sif).slice(7)}`,
      `library image pulled and verified (${pulledSif.hash.slice(0, 19)}…)`,
    )

    const store = ['--store', mocks.charm!.url]
    const charmDir = join(work, 'hello-charm')
    await mkdir(join(charmDir, 'hooks'), { recursive: true })
    await writeFile(
      join(charmDir, 'metadata.yaml'),
      'name: hello\nsummary: Says hello\ndescription: A demo charm.\nseries: [focal]\n',
    )
    await writeFile(join(charmDir, 'hooks', 'install'), '#!/bin/sh\necho hello\n')
    await wharf(['charm', 'login', ...store])
    const charm = await wharf(['charm', 'push', charmDir, '~demo/focal/hello', ...store])
    await wharf(['charm', 'publish', charm.id, '--channel', 'stable', ...store])
    const shown = await wharf([
      'charm',
      'show',
      '~demo/hello',
      '--include',
      'id,charm-metadata',
      ...store,
    ])
    check(
      shown.id === charm.id && shown.meta['charm-metadata'].Summary === 'Says hello',
      `charm ${shown.id} metadata shown`,
    )

    const drp = ['--endpoint', mocks.drp!.url]
    await wharf(['drp', 'create', 'machines', join(work, 'machine.yaml'), ...drp])
    const machines: Array<{ Name: string }> = await wharf(['drp', 'list', 'machines', ...drp])
    check(
      machines.some((m) => m.Name === 'demo.example.com'),
      `DRP machines listed (${machines.map((m) => m.Name).join(', ')})`,
    )
    say('demo: every step verified')
  } catch (error) {
    if (error instanceof DemoError) ctx.io.stderr.write(`demo: ${error.message}\n`)
    throw error
  } finally {
    await stopMocks(mocks)
    await rm(work, { recursive: true, force: true })
  }
}
