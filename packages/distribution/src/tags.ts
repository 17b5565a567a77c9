import type { CallOptions } from './client.js'
import { listPages, stringList } from './listing.js'
import type { RepositoryContext } from './repository.js'

/** Options of listTags and catalog. */
export interface ListOptions extends CallOptions {
  /** Page size asked for (`n`); registries may ignore it (2.8 does for tags). */
  n?: number
  /** Start after this entry (`last`). */
  last?: string
}

/**
 * Lists a repository's tags, following `Link` headers page by page (bounded by the client's
 * `maxPages`, each page by `maxListSize`). A next link on another origin gets no credentials.
 */
export async function* listTags(
  repo: RepositoryContext,
  options: ListOptions = {},
): AsyncGenerator<string> {
  const pages = listPages(repo.client, `/v2/${repo.name}/tags/list`, {
    searchParams: { n: options.n, last: options.last },
    scopes: [repo.scope('pull')],
    subject: 'repository',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  for await (const page of pages) yield* stringList(page, 'tags', `tags of ${repo.name}`)
}
