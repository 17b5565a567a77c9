import {
  type AuthConfig,
  createSession,
  login as dockerLogin,
  familiarString,
  type NormalizedName,
  parseDockerRef,
  type Session,
} from '@wharf/docker-registry'
import { loadAuthConfig, removeLogin, saveLogin } from '@wharf/docker-registry/node'
import type { Handler } from '../cli.js'
import { UsageError } from '../exit.js'
import type { Context } from '../io.js'
import { isLoopbackHost, nodeFetch, readSecretFromStdin } from '../net.js'

/** Where Docker Hub lives: the real one, or WHARF_DOCKER_HUB_URL (a mock posing as Hub). */
function hubOf(ctx: Context) {
  const url = ctx.io.env.WHARF_DOCKER_HUB_URL
  return url ? { registry: url, index: `${url.replace(/\/+$/, '')}/v1/` } : undefined
}

function configOptions(ctx: Context) {
  return { env: ctx.io.env, ...(ctx.io.env.DOCKER_CONFIG ? { dir: ctx.io.env.DOCKER_CONFIG } : {}) }
}

async function transport(ctx: Context, domain: string) {
  const fetch = await nodeFetch(ctx)
  const hub = hubOf(ctx)
  return {
    plainHttp: Boolean(ctx.globals.plainHttp) || isLoopbackHost(domain),
    signal: ctx.signal,
    ...(hub ? { hub } : {}),
    fetch,
    ...(ctx.debug ? { debug: ctx.debug } : {}),
  }
}

function nameOf(input: string): NormalizedName {
  try {
    return parseDockerRef(input)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

async function sessionFor(ctx: Context, domain: string): Promise<Session> {
  const authConfig: AuthConfig | undefined = await loadAuthConfig(domain, configOptions(ctx))
  return createSession(domain, {
    ...(await transport(ctx, domain)),
    ...(authConfig ? { authConfig } : {}),
  })
}

export const login: Handler = async (ctx, [registry], flags) => {
  const password = flags.passwordStdin
    ? await readSecretFromStdin(ctx)
    : ctx.io.env.WHARF_DOCKER_PASSWORD
  if (!password)
    throw new UsageError('give the password with --password-stdin or WHARF_DOCKER_PASSWORD')
  const domain = registry ?? 'docker.io'
  const authConfig = { username: flags.username as string, password, serverAddress: domain }
  const result = await dockerLogin(authConfig, await transport(ctx, domain))
  const saved = await saveLogin(result, authConfig, configOptions(ctx))
  ctx.print(
    { status: result.status, serverAddress: result.serverAddress, store: saved.store },
    () => result.status,
  )
}

export const logout: Handler = async (ctx, [registry]) => {
  const removed = await removeLogin(registry ?? 'docker.io', configOptions(ctx))
  ctx.print({ removed }, () =>
    removed
      ? `Removing login credentials for ${registry ?? 'docker.io'}`
      : `Not logged in to ${registry ?? 'docker.io'}`,
  )
}

export const search: Handler = async (ctx, [term], flags) => {
  const limit = Number(flags.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new UsageError(`--limit ${flags.limit}: expected 1 to 100`)
  const session = await sessionFor(ctx, 'docker.io')
  const found = await session.searchRepositories(term!, { limit, signal: ctx.signal })
  ctx.print(found.results, () =>
    [
      `${'NAME'.padEnd(32)}${'STARS'.padStart(7)}  OFFICIAL  DESCRIPTION`,
      ...found.results.map(
        (r) =>
          `${r.name.padEnd(32)}${String(r.starCount).padStart(7)}  ${(r.isOfficial ? '[OK]' : '').padEnd(8)}  ${r.description.slice(0, 60)}`,
      ),
    ].join('\n'),
  )
}

export const tags: Handler = async (ctx, [input]) => {
  const name = nameOf(input!)
  const list = await (await sessionFor(ctx, name.domain)).getV2RemoteTags(name.path, {
    signal: ctx.signal,
  })
  ctx.print(list, () => list.join('\n'))
}

export const inspect: Handler = async (ctx, [input]) => {
  const name = nameOf(input!)
  const session = await sessionFor(ctx, name.domain)
  const { descriptor, manifest, rateLimit } = await session.getV2ImageManifest(
    name.path,
    name.digest ?? name.tag ?? 'latest',
    { signal: ctx.signal },
  )
  ctx.print(
    { name: familiarString(name), descriptor, manifest, ...(rateLimit ? { rateLimit } : {}) },
    () =>
      [
        `Name:       ${familiarString(name)}`,
        `Digest:     ${descriptor.digest}`,
        `Media type: ${descriptor.mediaType}`,
        JSON.stringify(manifest, null, 2),
      ].join('\n'),
  )
}
