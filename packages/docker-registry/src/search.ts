import { InvalidArgumentError } from './errors.js'

/** One repository found by Hub search v1. */
export interface SearchResult {
  /** `redis` for official images, `namespace/repo` otherwise. */
  name: string
  description: string
  starCount: number
  isOfficial: boolean
  /** Deprecated by Hub (always false on new repositories). */
  isAutomated: boolean
}

/** A page of search results. */
export interface SearchResults {
  /** The term as the server echoed it. */
  query: string
  /** Total hits. */
  numResults: number
  /** Paging metadata, when the server sends it. */
  numPages?: number
  page?: number
  pageSize?: number
  results: SearchResult[]
}

/** Options of a search. */
export interface SearchOptions {
  /** Results per page, 1 to 100 (the server's default is 25). */
  limit?: number
  /** 1-based page. */
  page?: number
  signal?: AbortSignal
}

/**
 * Splits a search term the way the Docker engine does: `host/rest`, where `host` has a `.`
 * or `:` or is `localhost`, searches that registry's index for `rest`; anything else searches
 * the session's index (Hub, where a leading `library/` is dropped). Schemes are refused.
 */
export function splitSearchTerm(term: string): { host?: string; term: string } {
  if (typeof term !== 'string' || term === '')
    throw new InvalidArgumentError('search term is empty')
  if (term.includes('://'))
    throw new InvalidArgumentError(
      `search term must not contain a scheme: ${JSON.stringify(term.slice(0, 200))}`,
    )
  const slash = term.indexOf('/')
  const first = slash < 0 ? '' : term.slice(0, slash)
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/.test(first)) {
      throw new InvalidArgumentError(
        `search term names an invalid host: ${JSON.stringify(first.slice(0, 200))}`,
      )
    }
    return { host: first, term: term.slice(slash + 1) }
  }
  return { term: term.startsWith('library/') ? term.slice('library/'.length) : term }
}

/** Checks `limit` and `page` and builds the query of `GET /v1/search`. */
export function searchParams(
  term: string,
  options: SearchOptions,
): Record<string, string | number | undefined> {
  const { limit, page } = options
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw new InvalidArgumentError(`search limit must be an integer from 1 to 100, got ${limit}`)
  }
  if (page !== undefined && !(Number.isInteger(page) && page >= 1)) {
    throw new InvalidArgumentError(`search page must be an integer of at least 1, got ${page}`)
  }
  return { q: term, n: limit, page }
}

const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined

/** Turns the wire JSON into {@link SearchResults}, skipping malformed entries. */
export function parseSearchResults(body: unknown): SearchResults {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const results = (Array.isArray(b.results) ? b.results : [])
    .filter(
      (r): r is Record<string, unknown> =>
        !!r && typeof r === 'object' && typeof r.name === 'string',
    )
    .map((r) => ({
      name: r.name as string,
      description: typeof r.description === 'string' ? r.description : '',
      starCount: int(r.star_count) ?? 0,
      isOfficial: r.is_official === true,
      isAutomated: r.is_automated === true,
    }))
  const numPages = int(b.num_pages)
  const page = int(b.page)
  const pageSize = int(b.page_size)
  return {
    query: typeof b.query === 'string' ? b.query : '',
    numResults: int(b.num_results) ?? results.length,
    ...(numPages === undefined ? {} : { numPages }),
    ...(page === undefined ? {} : { page }),
    ...(pageSize === undefined ? {} : { pageSize }),
    results,
  }
}
