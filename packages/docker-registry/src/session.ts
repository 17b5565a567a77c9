import type { Endpoint } from './endpoint.js'
import {
  parseSearchResults,
  type SearchOptions,
  type SearchResults,
  searchParams,
  splitSearchTerm,
} from './search.js'
import type { SessionOptions } from './session-base.js'
import { V2Session } from './v2.js'

/**
 * A session with one registry: the legacy V1 calls (index and registries), the V2 calls (over
 * @wharf/distribution) and Hub search. Create one with {@link createSession}.
 */
export class Session extends V2Session {
  /**
   * Hub search v1, `GET <index>/search?q=&n=&page=`. A term `host/rest` (host with `.`, `:`
   * or `localhost`) searches that registry's index instead (same scheme as the session's
   * endpoint), without the session's credentials.
   */
  async searchRepositories(term: string, options: SearchOptions = {}): Promise<SearchResults> {
    const split = splitSearchTerm(term)
    const query = searchParams(split.term, options)
    const base = split.host
      ? new URL(`${this.endpoint.url.protocol}//${split.host}/v1/`)
      : this.endpoint.indexUrl
    const url = new URL('search', base)
    const body = await this.clientFor(url).json<unknown>(url, {
      searchParams: query,
      headers: { 'x-docker-token': 'true' },
      bodyLimit: 4 * 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    return parseSearchResults(body)
  }
}

/** A session for an endpoint (or a `host[:port]`, URL or `docker.io`) with optional credentials. */
export function createSession(endpoint: Endpoint | string, options: SessionOptions = {}): Session {
  return new Session(endpoint, options)
}
