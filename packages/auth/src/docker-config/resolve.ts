import { fromBase64 } from '../base64.js'
import { DOCKER_HUB_KEY, type DockerAuthEntry, type DockerConfig } from './config.js'
import { DockerConfigError } from './errors.js'
import { type HelperOptions, runCredentialHelper } from './helper.js'

/** Credentials found for a registry, in the docker CLI's AuthConfig shape. */
export interface AuthConfig {
  /** The key the credentials were found under (`https://index.docker.io/v1/` for Docker Hub). */
  serverAddress: string
  username?: string
  password?: string
  /** An identity (refresh) token for the OAuth2 flow. */
  identityToken?: string
  /** A bearer token sent to the registry as it is. */
  registryToken?: string
}

const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])

/** `https://host:port/path` → `host:port` (docker's ConvertToHostname). */
export function convertToHostname(address: string): string {
  const withoutScheme = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  return withoutScheme.split('/')[0]!.toLowerCase()
}

/** The config key for a registry host: Docker Hub's aliases share `https://index.docker.io/v1/`. */
export function configKey(host: string): string {
  const name = convertToHostname(host)
  return HUB_HOSTS.has(name) ? DOCKER_HUB_KEY : name
}

function decodeEntry(entry: DockerAuthEntry, key: string): AuthConfig | undefined {
  const out: AuthConfig = { serverAddress: key }
  if (typeof entry.auth === 'string' && entry.auth) {
    const bytes = fromBase64(entry.auth)
    const text = bytes && new TextDecoder().decode(bytes)
    const colon = text?.indexOf(':') ?? -1
    if (!text || colon <= 0) {
      throw new DockerConfigError(
        'ERR_DOCKER_CONFIG',
        `invalid auth configuration file: the "auth" of ${key} is not base64 of user:password`,
      )
    }
    out.username = text.slice(0, colon)
    out.password = text.slice(colon + 1).replace(/\0+$/, '')
  } else if (typeof entry.username === 'string' && entry.username) {
    out.username = entry.username
    out.password = typeof entry.password === 'string' ? entry.password : ''
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken)
    out.identityToken = entry.identitytoken
  if (typeof entry.registrytoken === 'string' && entry.registrytoken)
    out.registryToken = entry.registrytoken
  return out.username || out.identityToken || out.registryToken ? out : undefined
}

/** The `auths` entry for a key: exact match first, then any key with the same host. */
function fileEntry(config: DockerConfig, key: string): DockerAuthEntry | undefined {
  const auths = config.auths
  if (typeof auths !== 'object' || auths === null) return undefined
  if (Object.hasOwn(auths, key)) return auths[key]
  const found = Object.keys(auths).find((k) => configKey(k) === key)
  return found === undefined ? undefined : auths[found]
}

/**
 * Finds the credentials for a registry host the way the docker CLI does: the key is the
 * host (Docker Hub's aliases map to `https://index.docker.io/v1/`); `credHelpers[key]`, else
 * `credsStore`, names a helper that is asked first; otherwise (or when the helper has
 * nothing) the `auths` entry is decoded (`auth`, `username`/`password`, `identitytoken`,
 * `registrytoken`). A helper's username `<token>` means an identity token.
 */
export async function resolveAuthConfig(
  config: DockerConfig,
  host: string,
  options: HelperOptions = {},
): Promise<AuthConfig | undefined> {
  const key = configKey(host)
  const helpers = config.credHelpers
  const helper =
    (typeof helpers === 'object' && helpers !== null && typeof helpers[key] === 'string'
      ? helpers[key]
      : undefined) ??
    (typeof config.credsStore === 'string' && config.credsStore ? config.credsStore : undefined)
  if (helper) {
    const found = await runCredentialHelper(helper, 'get', key, options)
    if (found && found.username === '<token>')
      return { serverAddress: key, identityToken: found.secret }
    if (found?.username)
      return { serverAddress: key, username: found.username, password: found.secret }
  }
  const entry = fileEntry(config, key)
  return entry && typeof entry === 'object' ? decodeEntry(entry, key) : undefined
}
