import type { RegistryClient } from './client.js'
import { listPages, stringList } from './listing.js'
import type { ListOptions } from './tags.js'

/**
 * Lists the registry's repositories (`GET /v2/_catalog`, a Docker extension many registries
 * refuse), following `Link` pages like listTags. Needs the `registry:catalog:*` scope.
 */
export async function* catalog(
  client: RegistryClient,
  options: ListOptions = {},
): AsyncGenerator<string> {
  const pages = listPages(client, '/v2/_catalog', {
    searchParams: { n: options.n, last: options.last },
    scopes: ['registry:catalog:*'],
    ...(options.signal ? { signal: options.signal } : {}),
  })
  for await (const page of pages) yield* stringList(page, 'repositories', 'catalog')
}
