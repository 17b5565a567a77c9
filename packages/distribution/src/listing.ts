import { nextLink, ParseError } from '@wharf/core-http'
import type { RegistryClient, SendOptions } from './client.js'

/** One page of a JSON listing. */
export interface ListingPage {
  body: Record<string, unknown>
  headers: Headers
}

/**
 * GETs a JSON listing and follows its `Link: <…>; rel="next"` pages: at most the client's
 * `maxPages`, each body at most `maxListSize`, never the same URL twice, only http(s) links
 * (core-http sends no credentials to a link on another origin).
 */
export async function* listPages(
  client: RegistryClient,
  path: string,
  options: SendOptions,
): AsyncGenerator<ListingPage> {
  const seen = new Set<string>()
  const { searchParams, ...rest } = options
  let url: URL | undefined = client.http.url(path, searchParams)
  for (let page = 1; url; page++) {
    if (seen.has(url.href))
      throw new ParseError(path, 'pagination loops back to a page already read')
    if (page > client.limits.pages)
      throw new ParseError(path, `more than ${client.limits.pages} pages`)
    seen.add(url.href)
    const response = await client.send(url, {
      ...rest,
      headers: { accept: 'application/json', ...(rest.headers as Record<string, string>) },
      bodyLimit: client.limits.list,
    })
    const body = await response.json({ limit: client.limits.list })
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ParseError(path, 'listing is not a JSON object')
    }
    const next = nextLink(response.headers, response.url)
    if (next && next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new ParseError(path, `refusing a ${next.protocol} next-page link`)
    }
    yield { body: body as Record<string, unknown>, headers: response.headers }
    url = next
  }
}

/** The string array `field` of a listing page (null/absent is empty); ParseError otherwise. */
export function stringList(page: ListingPage, field: string, what: string): string[] {
  const list = page.body[field]
  if (list === null || list === undefined) return []
  if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) {
    throw new ParseError(what, `"${field}" must be an array of strings`)
  }
  return list as string[]
}
