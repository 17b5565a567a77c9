import { createWriteStream } from 'node:fs'
import { readFile, rename, rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { bakeryAuth } from '@wharf/auth'
import {
  type Channel,
  type CharmStoreClient,
  createCharmStoreClient,
  parseCharmURL,
} from '@wharf/charmstore'
import { archiveFrom } from '@wharf/charmstore/node'
import { fileSource } from '@wharf/transfer/node'
import type { Handler } from '../cli.js'
import { UsageError } from '../exit.js'
import type { Context } from '../io.js'
import { nodeFetch, readSecretFromStdin } from '../net.js'
import { formatBytes, progressBar } from '../progress.js'

async function client(ctx: Context, flags: Record<string, any>): Promise<CharmStoreClient> {
  const url = flags.store ?? ctx.io.env.WHARF_CHARMSTORE_URL
  const user = flags.username ?? ctx.io.env.WHARF_CHARMSTORE_USERNAME
  if (flags.passwordStdin && !user) throw new UsageError('--password-stdin needs --username')
  const password = flags.passwordStdin
    ? await readSecretFromStdin(ctx)
    : ctx.io.env.WHARF_CHARMSTORE_PASSWORD
  const fetch = await nodeFetch(ctx)
  return createCharmStoreClient({
    ...(url ? { url } : {}),
    ...(user
      ? { user, password: password ?? '' }
      : {
          auth: bakeryAuth({
            fetch,
            interact: async (visitUrl) => void ctx.io.stderr.write(`Log in at ${visitUrl}\n`),
          }),
        }),
    ...(typeof flags.channel === 'string' ? { channel: flags.channel as Channel } : {}),
    http: {
      signal: ctx.signal,
      fetch,
      ...(ctx.debug ? { debug: ctx.debug } : {}),
    },
  })
}

function charmId(input: string) {
  try {
    return parseCharmURL(input)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

export const show: Handler = async (ctx, [id], flags) => {
  charmId(id!)
  const includes = String(flags.include)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const response = await (await client(ctx, flags)).meta(
    id!,
    Object.fromEntries(includes.map((i) => [i, i])),
    { signal: ctx.signal },
  )
  ctx.print({ id: String(response.id), meta: response.meta }, () =>
    [
      `Id: ${response.id}`,
      ...Object.entries(response.meta).map(([k, v]) => `${k}: ${JSON.stringify(v, null, 2)}`),
    ].join('\n'),
  )
}

export const pull: Handler = async (ctx, [id, file], flags) => {
  const ref = charmId(id!)
  const download = await (await client(ctx, flags)).getArchive(id!, { signal: ctx.signal })
  const target = file ?? `${download.id.name}-${download.id.revision}.zip`
  const partial = `${target}.partial`
  const bar = progressBar(ctx, `pull ${ref}`)
  bar({ type: 'start', total: download.size })
  let seen = 0
  const counted = download.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        bar({ type: 'progress', transferred: seen, total: download.size })
        controller.enqueue(chunk)
      },
    }),
  )
  try {
    await pipeline(Readable.fromWeb(counted as any), createWriteStream(partial))
    await rename(partial, target)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  bar({ type: 'done', transferred: seen })
  ctx.print(
    { id: String(download.id), file: target, sha384: download.hash, size: download.size },
    () => `${download.id} → ${target} (${formatBytes(download.size)}, sha384 verified)`,
  )
}

export const push: Handler = async (ctx, [dir, id], flags) => {
  charmId(id!)
  const archive = dir!.endsWith('.zip')
    ? new Uint8Array(await readFile(dir!))
    : await archiveFrom(dir!)
  const cs = await client(ctx, flags)
  const uploaded = flags.bundle
    ? await cs.uploadBundle(id!, archive, { signal: ctx.signal })
    : await cs.uploadCharm(id!, archive, { signal: ctx.signal })
  ctx.print({ id: String(uploaded), size: archive.byteLength }, () => String(uploaded))
}

export const publish: Handler = async (ctx, [id], flags) => {
  charmId(id!)
  const resources: Record<string, number> = {}
  for (const pair of (flags.resource as string[] | undefined) ?? []) {
    const [name, revision] = pair.split('=')
    if (!name || !/^\d+$/.test(revision ?? ''))
      throw new UsageError(`--resource ${pair}: expected name=revision`)
    resources[name] = Number(revision)
  }
  await (await client(ctx, flags)).publish(id!, flags.channel as Channel[], resources, {
    signal: ctx.signal,
  })
  ctx.print(
    { id, channels: flags.channel, resources },
    () => `published ${id} to ${(flags.channel as string[]).join(', ')}`,
  )
}

export const attach: Handler = async (ctx, [id, spec], flags) => {
  charmId(id!)
  const at = spec!.indexOf('=')
  if (at < 1) throw new UsageError(`${spec}: expected <resource>=<file>`)
  const name = spec!.slice(0, at)
  const file = spec!.slice(at + 1)
  const revision = await (await client(ctx, flags)).uploadResource(id!, name, {
    source: await fileSource(file),
    filename: file.split('/').at(-1)!,
    signal: ctx.signal,
    onProgress: progressBar(ctx, `attach ${name}`),
  })
  ctx.print({ id, resource: name, revision }, () => `${name} revision ${revision}`)
}

export const whoami: Handler = async (ctx, _args, flags) => {
  const who = await (await client(ctx, flags)).whoAmI({ signal: ctx.signal })
  ctx.print(who, () => `${who.User}${who.Groups?.length ? ` (${who.Groups.join(', ')})` : ''}`)
}

export const login: Handler = async (ctx, _args, flags) => {
  const cs = await client(ctx, flags)
  await cs.login({ signal: ctx.signal })
  const who = await cs.whoAmI({ signal: ctx.signal })
  ctx.print(who, () => `logged in as ${who.User}`)
}
