import {
  createLibraryClient,
  type LibraryClient,
  type LibraryRef,
  parseAmbiguousLibraryRef,
  parseLibraryRef,
} from '@wharf/library'
import { fileSource } from '@wharf/transfer/node'
import type { Handler } from '../cli.js'
import { UsageError } from '../exit.js'
import type { Context } from '../io.js'
import { nodeFetch, readSecretFromStdin } from '../net.js'
import { formatBytes, progressBar } from '../progress.js'

async function client(ctx: Context, flags: Record<string, any>): Promise<LibraryClient> {
  const baseURL = flags.library ?? ctx.io.env.WHARF_LIBRARY_URL
  const token = flags.tokenStdin ? await readSecretFromStdin(ctx) : ctx.io.env.WHARF_LIBRARY_TOKEN
  const fetch = await nodeFetch(ctx)
  return createLibraryClient({
    ...(baseURL ? { baseURL } : {}),
    ...(token ? { authToken: token } : {}),
    signal: ctx.signal,
    fetch,
    ...(ctx.debug ? { debug: ctx.debug } : {}),
  })
}

/** Parses `library://…` (hostless when ambiguous, as the Go client) or a bare `entity/collection/container:tag`. */
function ref(input: string): LibraryRef {
  try {
    return input.startsWith('library:')
      ? parseAmbiguousLibraryRef(input)
      : parseLibraryRef(`library:///${input}`)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

export const version: Handler = async (ctx, _args, flags) => {
  const info = await (await client(ctx, flags)).getVersion({ signal: ctx.signal })
  ctx.print(info, () => `API ${info.apiVersion}${info.version ? ` (server ${info.version})` : ''}`)
}

export const search: Handler = async (ctx, [term], flags) => {
  const results = await (await client(ctx, flags)).search({
    value: term!,
    ...(flags.arch ? { arch: flags.arch } : {}),
    ...(flags.signed ? { signed: true } : {}),
    signal: ctx.signal,
  })
  ctx.print(results, () => {
    const lines: string[] = []
    for (const [kind, list] of Object.entries(results) as Array<
      [string, Array<Record<string, any>>]
    >) {
      for (const item of list ?? [])
        lines.push(
          `${kind.padEnd(12)} ${item.entityName ? `${item.entityName}/` : ''}${item.collectionName ? `${item.collectionName}/` : ''}${item.containerName ?? item.name ?? item.hash ?? ''}`,
        )
    }
    return lines.join('\n') || 'no results'
  })
}

export const pull: Handler = async (ctx, [input, file], flags) => {
  const parsed = ref(input!)
  const container = parsed.path.split('/').at(-1) ?? 'image'
  const destination = file ?? `${container}_${parsed.tags?.[0] ?? 'latest'}.sif`
  const image = await (await client(ctx, flags)).concurrentDownloadImage(parsed, destination, {
    arch: flags.arch,
    concurrency: Number(flags.concurrency),
    signal: ctx.signal,
    onProgress: progressBar(ctx, `pull ${input}`),
  })
  ctx.print(
    { file: destination, hash: image.hash, size: image.size },
    () =>
      `${input} → ${destination} (${formatBytes(Number(image.size ?? 0))}, ${image.hash} verified)`,
  )
}

export const push: Handler = async (ctx, [file, input], flags) => {
  const parsed = ref(input!)
  const done = await (await client(ctx, flags)).uploadImage(fileSource(file!), {
    path: parsed.path,
    arch: flags.arch,
    tags: parsed.tags?.length ? parsed.tags : ['latest'],
    ...(flags.description ? { description: flags.description } : {}),
    signal: ctx.signal,
    onProgress: progressBar(ctx, `push ${file}`),
  })
  ctx.print({ ref: input, ...(done ?? {}) }, () => `${file} → ${input}`)
}

export const rm: Handler = async (ctx, [input], flags) => {
  await (await client(ctx, flags)).deleteImage(ref(input!), {
    arch: flags.arch,
    signal: ctx.signal,
  })
  ctx.info(`deleted ${input}`)
}
