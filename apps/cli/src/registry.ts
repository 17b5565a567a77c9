import type { Reference, RegistryClient, Repository } from '@wharf/distribution'
import { UsageError } from './exit.js'
import type { Context } from './io.js'
import { isLoopbackHost, nodeFetch, readSecretFromStdin } from './net.js'

/** Credential flags shared by the registry commands. */
export interface RegistryFlags {
  username?: string
  passwordStdin?: boolean
}

/** Parses a full reference (`registry/repository[:tag][@digest]`), turning bad input into a usage error. */
export async function parseRef(input: string): Promise<Reference> {
  const { parseReference } = await import('@wharf/distribution')
  let ref: Reference
  try {
    ref = parseReference(input)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (!ref.registry) {
    throw new UsageError(`${input}: name the registry, e.g. localhost:5000/${ref.repository}`)
  }
  return ref
}

/**
 * A registry client with the CLI's conventions: plain HTTP for loopback hosts (and with
 * --plain-http), TLS options, and credentials from flags, `WHARF_REGISTRY_USERNAME` /
 * `WHARF_REGISTRY_PASSWORD`, or the docker config and its credential helpers.
 */
export async function registryClient(
  ctx: Context,
  registry: string,
  flags: RegistryFlags = {},
): Promise<RegistryClient> {
  const [{ createRegistryClient }, { registryTokenAuth }, { dockerConfigAuth }] = await Promise.all(
    [import('@wharf/distribution'), import('@wharf/auth'), import('@wharf/auth/docker-config')],
  )
  const plainHttp = Boolean(ctx.globals.plainHttp) || isLoopbackHost(registry)
  const fetch = await nodeFetch(ctx)
  const username = flags.username ?? ctx.io.env.WHARF_REGISTRY_USERNAME
  const password = flags.passwordStdin
    ? await readSecretFromStdin(ctx)
    : ctx.io.env.WHARF_REGISTRY_PASSWORD
  if (flags.passwordStdin && !username) throw new UsageError('--password-stdin needs --username')
  const common = {
    fetch,
    ...(ctx.globals.plainHttp ? { allowInsecureRegistry: true } : {}),
  }
  const auth =
    username !== undefined
      ? registryTokenAuth({ ...common, credentials: { username, password: password ?? '' } })
      : dockerConfigAuth({ ...common, env: ctx.io.env })
  return createRegistryClient({
    registry,
    plainHttp,
    auth,
    signal: ctx.signal,
    fetch,
    ...(ctx.debug ? { debug: ctx.debug } : {}),
  })
}

/** The repository a reference names, with its client. */
export async function repositoryFor(
  ctx: Context,
  ref: Reference,
  flags: RegistryFlags = {},
): Promise<Repository> {
  return (await registryClient(ctx, ref.registry, flags)).repository(ref.repository)
}

/** The tag or digest a reference points at, or a usage error naming what is missing. */
export function targetOf(ref: Reference, input: string): string {
  const target = ref.digest ?? ref.tag
  if (!target) throw new UsageError(`${input}: give a tag or a digest`)
  return target
}
