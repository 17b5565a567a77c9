import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  catalog,
  copy,
  type Descriptor,
  isValidTag,
  parsePlatform,
  selectPlatform,
} from '@wharf/distribution'
import { downloadBlob, pullToLayout, pushFromLayout } from '@wharf/distribution/node'
import { fileSource } from '@wharf/transfer/node'
import type { Handler } from '../cli.js'
import { UsageError } from '../exit.js'
import type { Context } from '../io.js'
import { formatBytes, progressBar } from '../progress.js'
import { parseRef, registryClient, repositoryFor, targetOf } from '../registry.js'

function platformOf(value: string | undefined) {
  if (!value) return undefined
  try {
    return parsePlatform(value)
  } catch (error) {
    throw new UsageError(`--platform ${value}: ${(error as Error).message}`)
  }
}

/** A progress line per copied descriptor, and a byte total on a bar. */
function copyReporter(ctx: Context, label: string) {
  const bar = progressBar(ctx, label)
  let bytes = 0
  bar({ type: 'start' })
  return {
    onCopy: ({ descriptor, action }: { descriptor: Descriptor; action: string }) => {
      bytes += descriptor.size
      if (ctx.globals.debug)
        ctx.info(`${action} ${descriptor.digest} (${formatBytes(descriptor.size)})`)
      bar({ type: 'progress', transferred: bytes })
    },
    done: () => bar({ type: 'done', transferred: bytes }),
  }
}

export const ping: Handler = async (ctx, [registry], flags) => {
  const client = await registryClient(ctx, registry!, flags)
  const result = await client.ping({ signal: ctx.signal })
  ctx.print(
    { registry: client.host, ...result },
    () =>
      `${client.host}: OCI registry${result.status === 401 ? ' (credentials required)' : ''}${result.apiVersion ? `, ${result.apiVersion}` : ''}`,
  )
}

export const tags: Handler = async (ctx, [input], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  const list: string[] = []
  const n = flags.pageSize ? Number(flags.pageSize) : undefined
  for await (const tag of repo.listTags({ signal: ctx.signal, ...(n ? { n } : {}) })) list.push(tag)
  ctx.print(list, () => list.join('\n'))
}

export const manifest: Handler = async (ctx, [input], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  const target = targetOf(ref, input!)
  const platform = platformOf(flags.platform)
  let fetched = await repo.getManifest(target, { signal: ctx.signal })
  if (platform && 'manifests' in fetched.manifest) {
    const child = selectPlatform(fetched.manifest, platform)
    fetched = await repo.getManifest(child.digest, { signal: ctx.signal })
  }
  if (flags.raw) {
    ctx.io.stdout.write(fetched.bytes)
    return
  }
  ctx.print({ descriptor: fetched.descriptor, manifest: fetched.manifest }, () =>
    [
      `Digest:     ${fetched.descriptor.digest}`,
      `Media type: ${fetched.descriptor.mediaType}`,
      `Size:       ${fetched.descriptor.size}`,
      JSON.stringify(fetched.manifest, null, 2),
    ].join('\n'),
  )
}

export const pull: Handler = async (ctx, [input, dir], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  const platform = platformOf(flags.platform)
  const report = copyReporter(ctx, `pull ${input}`)
  const root = await pullToLayout(repo, targetOf(ref, input!), dir!, {
    // A second core hashes large blobs while this one receives them (faster, ≈ 20 MiB more memory).
    hashInWorker: true,
    signal: ctx.signal,
    onCopy: report.onCopy,
    ...(platform ? { platforms: [platform] } : {}),
    ...(ref.tag ? { tag: ref.tag } : {}),
  })
  report.done()
  ctx.print(
    { digest: root.digest, mediaType: root.mediaType, size: root.size, layout: dir },
    () => `${root.digest} → ${dir}`,
  )
}

export const push: Handler = async (ctx, [dir, input], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  const from = flags.from ?? ref.tag ?? ref.digest
  if (!from) throw new UsageError('give the reference a tag, or name the layout tag with --from')
  const report = copyReporter(ctx, `push ${input}`)
  const root = await pushFromLayout(dir!, from, repo, {
    signal: ctx.signal,
    onCopy: report.onCopy,
    ...(ref.tag ? { tag: ref.tag } : {}),
  })
  report.done()
  ctx.print(
    { digest: root.digest, mediaType: root.mediaType, size: root.size, reference: input },
    () => `${input} → ${root.digest}`,
  )
}

export const copyImage: Handler = async (ctx, [source, destination], flags) => {
  const [from, to] = await Promise.all([parseRef(source!), parseRef(destination!)])
  const [src, dst] = await Promise.all([
    repositoryFor(ctx, from, flags),
    repositoryFor(ctx, to, flags),
  ])
  const platforms = (flags.platform as string[] | undefined)?.map((p) => platformOf(p)!)
  const report = copyReporter(ctx, `copy ${source}`)
  const tag = to.tag ?? (to.digest ? undefined : from.tag)
  const root = await copy(src, dst, {
    reference: targetOf(from, source!),
    ...(tag ? { destinationReference: tag } : {}),
    concurrency: Number(flags.concurrency ?? 4),
    signal: ctx.signal,
    onCopy: report.onCopy,
    ...(platforms?.length ? { platforms } : {}),
  })
  report.done()
  ctx.print(
    { digest: root.digest, source, destination },
    () => `${source} → ${destination} (${root.digest})`,
  )
}
export { copyImage as copy }

export const blobGet: Handler = async (ctx, [input, file], flags) => {
  const ref = await parseRef(input!)
  if (!ref.digest) throw new UsageError(`${input}: a blob is named by digest (repository@sha256:…)`)
  const repo = await repositoryFor(ctx, ref, flags)
  if (file) {
    const result = await downloadBlob(repo, ref.digest, file, { signal: ctx.signal })
    ctx.info(`${result.digest} → ${file} (${formatBytes(result.size)})`)
    return
  }
  const stream = await repo.getBlob(ref.digest, { signal: ctx.signal })
  await pipeline(
    stream as unknown as NodeJS.ReadableStream,
    Writable.fromWeb(Writable.toWeb(ctx.io.stdout as unknown as Writable)),
  )
}

export const blobPut: Handler = async (ctx, [input, file], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  const source = await fileSource(file!)
  const pushed = await repo.pushBlob(source, {
    signal: ctx.signal,
    onProgress: progressBar(ctx, `put ${file}`),
  })
  ctx.print({ ...pushed.descriptor, method: pushed.method }, () => pushed.descriptor.digest)
}

export const blobRm: Handler = async (ctx, [input], flags) => {
  const ref = await parseRef(input!)
  if (!ref.digest) throw new UsageError(`${input}: a blob is named by digest (repository@sha256:…)`)
  await (await repositoryFor(ctx, ref, flags)).deleteBlob(ref.digest, { signal: ctx.signal })
  ctx.info(`deleted ${ref.digest}`)
}

export const referrers: Handler = async (ctx, [input], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  const digest =
    ref.digest ?? (await repo.headManifest(targetOf(ref, input!), { signal: ctx.signal })).digest
  const list: Descriptor[] = []
  for await (const d of repo.referrers(digest, {
    signal: ctx.signal,
    ...(flags.artifactType ? { artifactType: flags.artifactType } : {}),
  })) {
    list.push(d)
  }
  ctx.print(list, () =>
    list.map((d) => `${d.digest}  ${d.artifactType ?? d.mediaType}  ${d.size}`).join('\n'),
  )
}

export const catalogRepositories: Handler = async (ctx, [registry], flags) => {
  const client = await registryClient(ctx, registry!, flags)
  const list: string[] = []
  for await (const name of catalog(client, { signal: ctx.signal })) list.push(name)
  ctx.print(list, () => list.join('\n'))
}
export { catalogRepositories as catalog }

export const rm: Handler = async (ctx, [input], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  const digest =
    ref.digest ?? (await repo.headManifest(targetOf(ref, input!), { signal: ctx.signal })).digest
  await repo.deleteManifest(digest, { signal: ctx.signal })
  ctx.info(`deleted ${input} (${digest})`)
}

export const tag: Handler = async (ctx, [input, ...tags], flags) => {
  const ref = await parseRef(input!)
  const repo = await repositoryFor(ctx, ref, flags)
  for (const t of tags) {
    if (!isValidTag(t))
      throw new UsageError(`${t} is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})`)
  }
  const fetched = await repo.getManifest(targetOf(ref, input!), { signal: ctx.signal })
  const pushed = await repo.putManifest(
    fetched.descriptor.digest,
    fetched.bytes,
    fetched.descriptor.mediaType,
    { tags, referrersFallback: false, signal: ctx.signal },
  )
  ctx.print({ digest: fetched.descriptor.digest, tags: pushed.tags }, () =>
    pushed.tags.map((t) => `tagged ${ref.registry}/${ref.repository}:${t}`).join('\n'),
  )
}
