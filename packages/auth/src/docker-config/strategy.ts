import {
  type RegistryCredentials,
  type RegistryTokenAuth,
  type RegistryTokenAuthOptions,
  registryTokenAuth,
} from '../registry-token.js'
import { type DockerConfig, type DockerConfigLocation, loadDockerConfig } from './config.js'
import type { HelperOptions } from './helper.js'
import { type AuthConfig, resolveAuthConfig } from './resolve.js'

/** Options of {@link dockerConfigAuth}: registry token options plus where the config lives. */
export interface DockerConfigAuthOptions
  extends Omit<RegistryTokenAuthOptions, 'credentials'>,
    DockerConfigLocation {
  /** The config directory (default `$DOCKER_CONFIG`, then `~/.docker`). */
  dir?: string
  /** A config already loaded, instead of reading the file. */
  config?: DockerConfig
  /** Timeout of credential helpers in ms. */
  helperTimeout?: number
}

/** The registry credentials an AuthConfig stands for. */
function toCredentials(auth: AuthConfig | undefined): RegistryCredentials | undefined {
  if (auth?.identityToken) return { identityToken: auth.identityToken }
  if (auth?.registryToken) return { registryToken: auth.registryToken }
  if (auth?.username) return { username: auth.username, password: auth.password ?? '' }
  return undefined
}

/**
 * `registryTokenAuth` whose credentials come from the docker config and its credential
 * helpers, looked up for each registry host on first use (the file is read once).
 */
export function dockerConfigAuth(options: DockerConfigAuthOptions = {}): RegistryTokenAuth {
  const { dir, config, helperTimeout, home, env, ...rest } = options
  let loaded: Promise<DockerConfig> | undefined
  const helper: HelperOptions = {
    ...(helperTimeout === undefined ? {} : { timeout: helperTimeout }),
    ...(env ? { env } : {}),
  }
  return registryTokenAuth({
    ...rest,
    credentials: async (registry) => {
      loaded ??= config ? Promise.resolve(config) : loadDockerConfig(dir, { home, env })
      return toCredentials(await resolveAuthConfig(await loaded, registry, helper))
    },
  })
}
