import { readArchive } from './charm.js'
import { type Ctx, reportedId } from './context.js'
import { fail, flag, hexDigest, json, readBody } from './http.js'
import { formatRef, KNOWN_SERIES, type Ref } from './ids.js'
import { type Entity, STORE_CHANNELS, type StoreChannel } from './state.js'

function cacheControl(ctx: Ctx, e: Entity): string {
  const acl = ctx.store.baseOf(e).acls[ctx.store.aclChannel(e, ctx.channel)]
  return acl.Read.includes('everyone') ? 'public, max-age=3600' : 'no-cache, must-revalidate'
}

/** `GET /<id>/archive` and `GET /<id>/archive/<path>` */
export function getArchive(ctx: Ctx, ref: Ref, e: Entity, rest: string[]): Response {
  if (rest.length === 0) {
    // `stats=0` asks for the download not to be counted.
    if (!ctx.params.has('stats') || flag(ctx.params, 'stats')) e.downloads++
    return new Response(e.blob as BodyInit, {
      headers: {
        'content-type': 'application/zip',
        'content-length': String(e.blob.byteLength),
        'content-sha384': e.sha384,
        'entity-id': reportedId(ctx, e, ref),
        'content-disposition': `attachment; filename=${e.name}.zip`,
        'cache-control': cacheControl(ctx, e),
      },
    })
  }
  const segments: string[] = []
  for (const s of rest.join('/').split('/')) {
    if (s === '..') segments.pop()
    else if (s !== '' && s !== '.') segments.push(s)
  }
  const path = segments.join('/')
  const file = e.files.get(path)
  if (!file) {
    if ([...e.files.keys()].some((f) => f.startsWith(`${path}/`)))
      fail('forbidden', 'directory listing not allowed')
    fail('not found', `file ${JSON.stringify(path)} not found in the archive`)
  }
  const types: Record<string, string> = {
    '.svg': 'image/svg+xml',
    '.yaml': 'application/x-yaml',
    '.md': 'text/markdown',
    '.txt': 'text/plain',
    '.json': 'application/json',
  }
  const ext = /\.[^./]+$/.exec(path)?.[0] ?? ''
  return new Response(file as BodyInit, {
    headers: {
      'content-type': types[ext] ?? 'application/octet-stream',
      'content-length': String(file.byteLength),
      'cache-control': cacheControl(ctx, e),
    },
  })
}

function parsePromulgated(text: string, ref: Ref): number {
  const m = /^(?:cs:)?(?:([a-z][a-z0-9]*)\/)?([a-z][a-z0-9-]*?)-(\d+)$/.exec(text)
  if (!m || (m[1] ?? '') !== ref.series || m[2] !== ref.name) {
    fail(
      'bad request',
      `promulgated URL ${JSON.stringify(text)} does not match ${formatRef(ref)} (no user, same series and name, with a revision)`,
    )
  }
  return Number(m[3])
}

/** `POST /<id>/archive?hash=` (store picks the revision) and `PUT /<id-rev>/archive?hash=` */
export async function putArchive(ctx: Ctx, ref: Ref): Promise<Response> {
  const post = ctx.request.method === 'POST'
  if (!ref.user) fail('bad request', 'user not specified')
  if (post && ref.revision >= 0)
    fail('bad request', 'revision specified, but should not be specified')
  if (!post && ref.revision < 0) fail('bad request', 'revision not specified')
  const hash = ctx.params.get('hash') ?? fail('bad request', 'hash parameter not specified')
  const declared = ctx.request.headers.get('content-length')
  if (declared === null) fail('bad request', 'Content-Length not specified')
  const existingBase = ctx.store.base(ref.user, ref.name)
  if (existingBase) ctx.access.check(existingBase, 'unpublished', 'Write')
  else {
    const who = ctx.access.require()
    if (!who.admin && who.user !== ref.user)
      fail('unauthorized', `access denied for user ${JSON.stringify(who.user)}`)
  }
  const blob = await readBody(ctx.request, ctx.limits.archive)
  if (blob.byteLength !== Number(declared)) fail('invalid charm or bundle', 'archive size mismatch')
  const sha384 = await hexDigest('SHA-384', blob)
  if (sha384 !== hash)
    fail('', `cannot put archive blob: hash mismatch (got ${sha384}, want ${hash})`)
  const kind = ref.series === 'bundle' ? 'bundle' : 'charm'
  const contents = readArchive(blob, kind)
  let supportedSeries: string[] = []
  if (kind === 'charm') {
    const series = Array.isArray(contents.meta.series) ? (contents.meta.series as string[]) : []
    if (series.some((s) => !KNOWN_SERIES.has(s) || s === 'bundle'))
      fail('invalid charm or bundle', 'unknown series in metadata')
    if (ref.series && series.length && !series.includes(ref.series))
      fail('charm or bundle id not allowed', `${ref.series} not listed in charm metadata series`)
    if (!ref.series && !series.length)
      fail('charm or bundle id not allowed', 'series not specified in url or charm metadata')
    if (contents.meta.name !== ref.name)
      fail(
        'charm or bundle id not allowed',
        `charm name ${JSON.stringify(contents.meta.name)} does not match the id`,
      )
    supportedSeries = ref.series ? [ref.series] : series
  }
  const base = ctx.store.ensureBase(ref.user, ref.name)
  if (post) {
    const newest = base.entities
      .filter((e) => e.series === ref.series)
      .sort((a, b) => b.revision - a.revision)[0]
    if (newest?.sha384 === sha384) return json(idResult(ctx, newest))
  }
  const revision = post ? ctx.store.nextRevision(base, ref.series) : ref.revision
  if (base.entities.some((e) => e.series === ref.series && e.revision === revision))
    fail('duplicate upload', `${formatRef({ ...ref, revision })} already exists`)
  const promulgatedText = ctx.params.get('promulgated')
  const promulgatedRevision =
    !post && promulgatedText
      ? parsePromulgated(promulgatedText, ref)
      : post && base.promulgated
        ? ctx.store.nextPromulgatedRevision(ref.name, ref.series)
        : -1
  const channels = ctx.params.getAll('channel') as StoreChannel[]
  const e: Entity = {
    user: ref.user,
    series: ref.series,
    name: ref.name,
    revision,
    promulgatedRevision,
    kind,
    blob,
    sha384,
    sha256: await hexDigest('SHA-256', blob),
    uploadTime: new Date(),
    ...contents,
    supportedSeries,
    extraInfo: {},
    published: new Set(
      post ? [] : channels.filter((c) => c !== 'unpublished' && STORE_CHANNELS.includes(c)),
    ),
    downloads: 0,
  }
  if (promulgatedRevision >= 0) base.promulgated = true
  if (post) base.canIngest = false
  base.entities.push(e)
  return json(idResult(ctx, e))
}

function idResult(ctx: Ctx, e: Entity): Record<string, string> {
  const out: Record<string, string> = { Id: formatRef(ctx.store.preferred(e, false)) }
  if (e.promulgatedRevision >= 0) out.PromulgatedId = formatRef(ctx.store.preferred(e, true))
  return out
}
