import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileBody } from '@wharf/core-http/node'
import {
  type Content,
  decodeYaml,
  modelPrefix,
  type Prefix,
  type ProvisionClient,
  pretty,
  tokenSession,
  userSession,
} from '@wharf/provision'
import type { Handler } from '../cli.js'
import { UsageError } from '../exit.js'
import type { Context } from '../io.js'
import { nodeFetch, readSecretFromStdin } from '../net.js'

async function client(ctx: Context, flags: Record<string, any>): Promise<ProvisionClient> {
  const env = ctx.io.env
  const url = flags.endpoint ?? env.WHARF_DRP_ENDPOINT ?? 'https://127.0.0.1:8092'
  const fetch = await nodeFetch(ctx)
  const options = {
    signal: ctx.signal,
    fetch,
    ...(ctx.debug ? { debug: ctx.debug } : {}),
  }
  if (!flags.passwordStdin && !env.WHARF_DRP_PASSWORD && env.WHARF_DRP_TOKEN) {
    return tokenSession(url, env.WHARF_DRP_TOKEN, options)
  }
  const password = flags.passwordStdin
    ? await readSecretFromStdin(ctx)
    : (env.WHARF_DRP_PASSWORD ?? 'r0cketsk8ts')
  return userSession(
    url,
    flags.username ?? env.WHARF_DRP_USERNAME ?? 'rocketskates',
    password,
    options,
  )
}

/** Runs `action` with a session that is always closed afterwards. */
async function withClient<T>(
  ctx: Context,
  flags: Record<string, any>,
  action: (c: ProvisionClient) => Promise<T>,
): Promise<T> {
  const c = await client(ctx, flags)
  try {
    return await action(c)
  } finally {
    c.close()
  }
}

function prefixOf(type: string): Prefix {
  try {
    return modelPrefix(type)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

async function readDocument(ctx: Context, file: string | undefined): Promise<any> {
  let text = ''
  if (file) text = await readFile(file, 'utf8')
  else for await (const chunk of ctx.io.stdin) text += chunk
  try {
    return decodeYaml(text)
  } catch (error) {
    throw new UsageError(`${file ?? 'stdin'}: ${(error as Error).message}`)
  }
}

const printModel = (ctx: Context, value: unknown) =>
  ctx.print(value, () => pretty('yaml', value).trimEnd())

export const info: Handler = (ctx, _args, flags) =>
  withClient(ctx, flags, async (c) => printModel(ctx, await c.info()))

export const list: Handler = (ctx, [type], flags) =>
  withClient(ctx, flags, async (c) => {
    const prefix = prefixOf(type!)
    const args = (flags.filter as string[] | undefined) ?? []
    const items = (
      args.length ? await c.filter(prefix, ...args) : await c.listModel(prefix)
    ) as Array<Record<string, any>>
    ctx.print(items, () =>
      items.map((item) => item.Name ?? item.Uuid ?? item.Key ?? JSON.stringify(item)).join('\n'),
    )
  })

export const show: Handler = (ctx, [type, key], flags) =>
  withClient(ctx, flags, async (c) => printModel(ctx, await c.getModel(prefixOf(type!), key!)))

export const create: Handler = async (ctx, [type, file], flags) => {
  const prefix = prefixOf(type!)
  const object = await readDocument(ctx, file)
  await withClient(ctx, flags, async (c) => printModel(ctx, await c.createModel(prefix, object)))
}

export const update: Handler = async (ctx, [type, key, file], flags) => {
  const prefix = prefixOf(type!)
  const next = await readDocument(ctx, file)
  await withClient(ctx, flags, async (c) => {
    const [old] = await c.getModelForPatch(prefix, key!)
    printModel(ctx, await c.patchToFull(prefix, old, { ...old, ...next }, Boolean(flags.paranoid)))
  })
}

export const remove: Handler = (ctx, [type, key], flags) =>
  withClient(ctx, flags, async (c) => {
    await c.deleteModel(prefixOf(type!), key!)
    ctx.info(`deleted ${type} ${key}`)
  })

export const events: Handler = (ctx, patterns, flags) =>
  withClient(ctx, flags, async (c) => {
    const limit = flags.count === undefined ? Number.POSITIVE_INFINITY : Number(flags.count)
    const stream = await c.events()
    try {
      const registration = await stream.register(...(patterns.length ? patterns : ['*.*.*']))
      ctx.info(`listening for ${patterns.length ? patterns.join(' ') : '*.*.*'}`)
      let seen = 0
      while (seen < limit) {
        const event = await registration.next(ctx.signal).catch((error) => {
          if (ctx.signal.aborted) return undefined
          throw error
        })
        if (!event) break
        ctx.io.stdout.write(`${JSON.stringify(event)}\n`)
        seen++
      }
    } finally {
      await stream.close()
    }
  })

export const upload: Handler = async (ctx, [kind, path, name], flags) => {
  if (kind !== 'iso' && kind !== 'file')
    throw new UsageError(`upload ${kind}: expected iso or file`)
  const body = await fileBody(path!)
  const dest = name ?? basename(path!)
  await withClient(ctx, flags, async (c) => {
    const stored = await c.postBlob(body, kind === 'iso' ? 'isos' : 'files', ...dest.split('/'))
    ctx.print(stored, () => `uploaded ${path} → ${kind === 'iso' ? 'isos' : 'files'}/${dest}`)
  })
}

export const contentsList: Handler = (ctx, _args, flags) =>
  withClient(ctx, flags, async (c) => {
    const list = await c.getContentSummary()
    ctx.print(list, () =>
      list.map((s: any) => `${s.meta?.Name ?? ''} ${s.meta?.Version ?? ''}`.trim()).join('\n'),
    )
  })

export const contentsUpload: Handler = async (ctx, [file], flags) => {
  const content = (await readDocument(ctx, file)) as Content
  const name = (content as any)?.meta?.Name
  if (!name) throw new UsageError(`${file}: a content bundle needs meta.Name`)
  await withClient(ctx, flags, async (c) => {
    const exists = (await c.getContentSummary()).some((s: any) => s.meta?.Name === name)
    const summary = exists ? await c.replaceContent(content) : await c.createContent(content)
    ctx.print(summary, () => `${exists ? 'replaced' : 'created'} content ${name}`)
  })
}

export const contentsRm: Handler = (ctx, [name], flags) =>
  withClient(ctx, flags, async (c) => {
    await c.deleteContent(name!)
    ctx.info(`deleted content ${name}`)
  })

export const agent: Handler = (ctx, [key], flags) =>
  withClient(ctx, flags, async (c) => {
    const { createAgent } = await import('@wharf/provision/agent')
    const machine = await c.getModel('machines', key!)
    const agentDir = flags.agentDir ?? (await mkdtemp(join(tmpdir(), 'wharf-drp-agent-')))
    const runner = createAgent(c, machine, {
      agentDir,
      exitOnFailure: Boolean(flags.exitOnFailure),
      exitOnNotRunnable: Boolean(flags.exitOnNotRunnable),
      timeout: Number(flags.timeout),
      scriptTimeout: Number(flags.scriptTimeout),
      logger: (text: string) => void (ctx.globals.quiet ? undefined : ctx.io.stderr.write(text)),
      onState: (state: string) => ctx.info(`agent: ${state}`),
    })
    ctx.signal.addEventListener('abort', () => void runner.stop(), { once: true })
    try {
      const end = await runner.run()
      ctx.print(
        { machine: machine.Uuid, end },
        () => `agent ended: ${end} (power actions are only reported)`,
      )
    } finally {
      if (!flags.agentDir) await rm(agentDir, { recursive: true, force: true })
    }
  })
