import type { AuthConfig } from './auth-config.js'
import type { EndpointOptions } from './endpoint.js'
import { type LoginOptions, type LoginResult, login } from './login.js'
import type { SearchOptions, SearchResults } from './search.js'
import { createSession } from './session.js'

/**
 * The registry service as an engine exposes it (the seed's `Service`): `auth` checks
 * credentials, `search` queries Docker Hub (or the registry a `host/term` names).
 */
export class Service {
  readonly options: Readonly<EndpointOptions>

  constructor(options: EndpointOptions = {}) {
    this.options = Object.freeze({ ...options })
  }

  /** Logs in (see {@link login}); resolves when the credentials are valid. */
  auth(
    authConfig: AuthConfig,
    options: Omit<LoginOptions, keyof EndpointOptions> & EndpointOptions = {},
  ): Promise<LoginResult> {
    return login(authConfig, { ...this.options, ...options })
  }

  /** Searches Hub's index, with the credentials when given. */
  async search(
    term: string,
    options: SearchOptions & { authConfig?: AuthConfig } = {},
  ): Promise<SearchResults> {
    const { authConfig, ...search } = options
    const session = createSession('docker.io', {
      ...this.options,
      ...(authConfig ? { authConfig } : {}),
    })
    try {
      return await session.searchRepositories(term, search)
    } finally {
      await session.close()
    }
  }
}

/** A {@link Service} with the given transport and Hub settings. */
export function createService(options: EndpointOptions = {}): Service {
  return new Service(options)
}
