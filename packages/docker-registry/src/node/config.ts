import {
  configKey,
  type DockerConfig,
  type DockerConfigLocation,
  loadDockerConfig,
  resolveAuthConfig,
  runCredentialHelper,
  saveDockerConfig,
} from '@wharf/auth/docker-config'
import type { AuthConfig } from '../auth-config.js'
import { credentialsOf } from '../auth-config.js'
import { InvalidArgumentError } from '../errors.js'
import type { LoginResult } from '../login.js'
import { authConfigKey } from '../names.js'

/** Where the docker config lives and how credential helpers run. */
export interface ConfigOptions extends DockerConfigLocation {
  /** The config directory (default `$DOCKER_CONFIG`, then `~/.docker`). */
  dir?: string
  /** Kill a credential helper after this many ms (default 30 000). */
  helperTimeout?: number
}

const helperOptions = (options: ConfigOptions) => ({
  ...(options.helperTimeout === undefined ? {} : { timeout: options.helperTimeout }),
  ...(options.env ? { env: options.env } : {}),
})

/**
 * The stored credentials for a registry (`docker.io`, `host[:port]` or a URL): the config's
 * credential helper for that key, else its `auths` entry, as the docker CLI looks them up.
 */
export async function loadAuthConfig(
  address: string,
  options: ConfigOptions = {},
): Promise<AuthConfig | undefined> {
  const config = await loadDockerConfig(options.dir, options)
  const found = await resolveAuthConfig(config, address, helperOptions(options))
  return found && { ...found }
}

/** Which store took the credentials. */
export interface SavedLogin {
  /** The config key: `https://index.docker.io/v1/` for Hub, else `host[:port]`. */
  key: string
  /** `helper` (with the helper's name) or the config file. */
  store: 'file' | 'helper'
  helper?: string
  /** The config file written. */
  path: string
}

/**
 * Stores a successful login as `docker login` does: the identity token when the realm gave
 * one (the password is then dropped), else username and password; in the credential helper
 * the config names for the key (`credHelpers`, else `credsStore`), leaving `{}` in `auths`,
 * or base64-encoded in `auths` otherwise. Other config keys are kept.
 */
export async function saveLogin(
  result: LoginResult,
  authConfig: AuthConfig,
  options: ConfigOptions = {},
): Promise<SavedLogin> {
  const key = authConfigKey(result.serverAddress)
  const creds = credentialsOf(authConfig)
  if (!result.identityToken && !creds) {
    throw new InvalidArgumentError(
      'nothing to store: the login had neither an identity token nor a username',
    )
  }
  const config: DockerConfig = await loadDockerConfig(options.dir, options)
  const helpers = config.credHelpers
  const helper =
    (helpers && typeof helpers[key] === 'string' ? helpers[key] : undefined) ??
    (typeof config.credsStore === 'string' && config.credsStore ? config.credsStore : undefined)
  const auths = { ...(config.auths ?? {}) }
  if (helper) {
    await runCredentialHelper(
      helper,
      'store',
      result.identityToken
        ? { serverURL: key, username: '<token>', secret: result.identityToken }
        : { serverURL: key, username: creds!.username, secret: creds!.password },
      helperOptions(options),
    )
    auths[key] = {}
  } else {
    auths[key] = result.identityToken
      ? { identitytoken: result.identityToken }
      : {
          auth: btoa(
            String.fromCharCode(
              ...new TextEncoder().encode(`${creds!.username}:${creds!.password}`),
            ),
          ),
        }
  }
  const path = await saveDockerConfig({ ...config, auths }, options.dir, options)
  return { key, store: helper ? 'helper' : 'file', ...(helper ? { helper } : {}), path }
}

/**
 * Forgets the stored credentials for a registry, as `docker logout` does: erases them from
 * the credential helper the config names for the key and drops the `auths` entry. Resolves
 * to false when nothing was stored.
 */
export async function removeLogin(address: string, options: ConfigOptions = {}): Promise<boolean> {
  const key = configKey(address)
  const config: DockerConfig = await loadDockerConfig(options.dir, options)
  const helper =
    (typeof config.credHelpers?.[key] === 'string' ? config.credHelpers[key] : undefined) ??
    (typeof config.credsStore === 'string' && config.credsStore ? config.credsStore : undefined)
  const inFile = Object.hasOwn(config.auths ?? {}, key)
  let erased = false
  if (helper) {
    try {
      await runCredentialHelper(helper, 'erase', key, helperOptions(options))
      erased = true
    } catch (error) {
      // "credentials not found" means there was nothing to erase, not a failure.
      if (!/not found/i.test(String((error as Error)?.message))) throw error
    }
  }
  if (inFile) {
    const { [key]: _gone, ...auths } = config.auths ?? {}
    await saveDockerConfig({ ...config, auths }, options.dir, options)
  }
  return erased || inFile
}
