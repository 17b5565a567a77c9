/**
 * Credentials for one registry, as Docker's `AuthConfig` holds them (camelCase). `auth` is
 * base64(`username:password`) as found in config files.
 */
export interface AuthConfig {
  username?: string
  password?: string
  auth?: string
  email?: string
  /** The registry the credentials are for (`https://index.docker.io/v1/` for Hub). */
  serverAddress?: string
  /** A refresh token from an earlier login (used instead of username and password). */
  identityToken?: string
  /** A bearer token sent to the registry as it is. */
  registryToken?: string
}

/** Username and password of an AuthConfig, decoding `auth` when they are not given; else undefined. */
export function credentialsOf(
  config: AuthConfig | undefined,
): { username: string; password: string } | undefined {
  if (!config) return undefined
  if (config.username) return { username: config.username, password: config.password ?? '' }
  if (!config.auth) return undefined
  let text: string
  try {
    text = new TextDecoder().decode(
      Uint8Array.from(atob(config.auth.trim()), (c) => c.charCodeAt(0)),
    )
  } catch {
    return undefined
  }
  const colon = text.indexOf(':')
  if (colon <= 0) return undefined
  return { username: text.slice(0, colon), password: text.slice(colon + 1).replace(/\0+$/, '') }
}
