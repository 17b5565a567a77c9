import type { Context } from './context.js'
import { fail } from './errors.js'
import { OCI_INDEX } from './media-types.js'
import { malformedDigest } from './validate.js'

/** One page of a sorted listing and the `Link` to the next, or a 400 answer. */
function paginate(
  ctx: Context,
  items: string[],
  path: string,
): { page: string[]; link?: string } | Response {
  const params = ctx.url.searchParams
  const nValue = params.get('n')
  if (nValue !== null && !/^\d+$/.test(nValue)) {
    return fail(400, 'PAGINATION_NUMBER_INVALID', `n must be a non-negative integer`, { n: nValue })
  }
  const last = params.get('last')
  const rest = last === null ? items : items.filter((item) => item > last)
  const n = Math.min(
    nValue === null ? Number.MAX_SAFE_INTEGER : Number(nValue),
    ctx.options.maxPageSize,
  )
  const page = rest.slice(0, n)
  if (n === 0 || rest.length <= page.length) return { page }
  const next = `${path}?n=${n}&last=${encodeURIComponent(page.at(-1)!)}`
  return { page, link: `<${next}>; rel="next"` }
}

function listing(body: unknown, link: string | undefined, contentType = 'application/json') {
  const text = JSON.stringify(body)
  const headers = new Headers({
    'content-type': contentType,
    'content-length': String(new TextEncoder().encode(text).byteLength),
  })
  if (link) headers.set('link', link)
  return new Response(text, { status: 200, headers })
}

const onlyGet = (ctx: Context) =>
  ctx.request.method === 'GET' || ctx.request.method === 'HEAD'
    ? undefined
    : fail(405, 'UNSUPPORTED', `${ctx.request.method} is not allowed here`)

/** `GET /v2/<name>/tags/list[?n=&last=]`: tags in byte order, paged with `Link`. */
export function tagsEndpoint(ctx: Context, name: string): Response {
  const refused = onlyGet(ctx)
  if (refused) return refused
  const repo = ctx.store.repository(name)
  if (!repo) return fail(404, 'NAME_UNKNOWN', undefined, { name })
  const tags = [...repo.tags.keys()].sort()
  if (ctx.options.quirks.ignoreTagPagination) return listing({ name, tags }, undefined)
  const result = paginate(ctx, tags, `/v2/${name}/tags/list`)
  if (result instanceof Response) return result
  return listing({ name, tags: result.page }, result.link)
}

/** `GET /v2/_catalog[?n=&last=]`: repository names in byte order, paged with `Link`. */
export function catalogEndpoint(ctx: Context): Response {
  const refused = onlyGet(ctx)
  if (refused) return refused
  const result = paginate(ctx, [...ctx.store.repositories.keys()].sort(), '/v2/_catalog')
  if (result instanceof Response) return result
  return listing({ repositories: result.page }, result.link)
}

/**
 * `GET /v2/<name>/referrers/<digest>[?artifactType=]`: an OCI index of the manifests whose
 * `subject` is the digest (empty for an unknown subject or repository), filtered by type
 * with `OCI-Filters-Applied`, paged with `Link` past `referrersPageSize` entries.
 */
export function referrersEndpoint(ctx: Context, name: string, digest: string): Response {
  const refused = onlyGet(ctx)
  if (refused) return refused
  const problem = malformedDigest(digest)
  if (problem) return fail(400, 'DIGEST_INVALID', problem, { digest })
  const artifactType = ctx.url.searchParams.get('artifactType')
  const repo = ctx.store.repository(name)
  const referrers = [...(repo?.manifests.values() ?? [])]
    .filter((m) => m.info.subject === digest)
    .filter((m) => artifactType === null || m.info.artifactType === artifactType)
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
  const last = ctx.url.searchParams.get('last')
  const rest = last === null ? referrers : referrers.filter((m) => m.digest > last)
  const page = rest.slice(0, ctx.options.referrersPageSize)
  let link: string | undefined
  if (rest.length > page.length) {
    const next = new URLSearchParams({ last: page.at(-1)!.digest })
    if (artifactType !== null) next.set('artifactType', artifactType)
    link = `</v2/${name}/referrers/${digest}?${next}>; rel="next"`
  }
  const manifests = page.map((m) => ({
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.bytes.byteLength,
    ...(m.info.artifactType ? { artifactType: m.info.artifactType } : {}),
    ...(m.info.annotations ? { annotations: m.info.annotations } : {}),
  }))
  const response = listing({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }, link, OCI_INDEX)
  if (artifactType !== null) response.headers.set('oci-filters-applied', 'artifactType')
  return response
}
