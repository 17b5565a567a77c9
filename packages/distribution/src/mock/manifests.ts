import { concat, readBody } from './body.js'
import { type Context, located } from './context.js'
import { computeDigest } from './digest.js'
import { type ErrorEntry, entry, errorResponse, fail } from './errors.js'
import { isTag } from './grammar.js'
import type { ManifestInfo } from './manifest-info.js'
import { inspectManifest } from './manifest-info.js'
import { accepts } from './media-types.js'
import type { Repository, StoredManifest } from './store.js'
import { parseReference } from './validate.js'

/** The manifest a reference (tag or digest) names in a repository. */
export function resolveManifest(repo: Repository, reference: string): StoredManifest | undefined {
  const digest = reference.includes(':') ? reference : repo.tags.get(reference)
  return digest === undefined ? undefined : repo.manifests.get(digest)
}

/** `/v2/<name>/manifests/<reference>`: GET, HEAD, PUT and DELETE. */
export function manifestEndpoint(
  ctx: Context,
  name: string,
  reference: string,
): Response | Promise<Response> {
  switch (ctx.request.method) {
    case 'GET':
    case 'HEAD':
      return getManifest(ctx, name, reference)
    case 'PUT':
      return putManifest(ctx, name, reference)
    case 'DELETE':
      return deleteManifest(ctx, name, reference)
    default:
      return fail(405, 'UNSUPPORTED', `${ctx.request.method} is not allowed on a manifest`)
  }
}

function getManifest(ctx: Context, name: string, reference: string): Response {
  const { request, store, options } = ctx
  // Like the reference server: an unknown repository is just an unknown manifest here.
  const repo = store.repository(name)
  const valid = !('error' in parseReference(reference))
  const manifest = repo && valid ? resolveManifest(repo, reference) : undefined
  const accept = request.headers.get('accept')
  if (!manifest || (options.strictAccept && !accepts(accept, manifest.mediaType))) {
    return fail(404, 'MANIFEST_UNKNOWN', undefined, { reference })
  }
  const headers = new Headers({
    'content-type': manifest.mediaType,
    'content-length': String(manifest.bytes.byteLength),
    'docker-content-digest': manifest.digest,
    etag: `"${manifest.digest}"`,
  })
  const ifNoneMatch = request.headers.get('if-none-match') ?? ''
  if (ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^"|"$/g, '') === manifest.digest)) {
    headers.set('content-length', '0')
    headers.delete('content-type')
    return new Response(null, { status: 304, headers })
  }
  const body = request.method === 'HEAD' ? null : (manifest.bytes as BodyInit)
  return new Response(body, { status: 200, headers })
}

function missingReferences(repo: Repository, info: ManifestInfo, sparse: boolean): ErrorEntry[] {
  const missing: ErrorEntry[] = []
  for (const blob of info.blobs) {
    // Foreign (non-distributable) layers live at their `urls`, not in the registry.
    if (!blob.urls && !repo.blobs.has(blob.digest)) {
      missing.push(entry('MANIFEST_BLOB_UNKNOWN', undefined, { digest: blob.digest }))
    }
  }
  for (const child of sparse ? [] : info.manifests) {
    if (!repo.manifests.has(child.digest)) {
      missing.push(entry('MANIFEST_BLOB_UNKNOWN', undefined, { digest: child.digest }))
    }
  }
  return missing
}

async function putManifest(ctx: Context, name: string, reference: string): Promise<Response> {
  const { request, url, store, options } = ctx
  const ref = parseReference(reference)
  if ('error' in ref) return ref.error
  const tags = url.searchParams.getAll('tag')
  const badTag = tags.find((t) => !isTag(t))
  if (badTag !== undefined) return fail(400, 'TAG_INVALID', `invalid tag ${JSON.stringify(badTag)}`)
  const tooLarge = () =>
    fail(413, 'MANIFEST_INVALID', `manifest larger than ${options.maxManifestBytes} bytes`)
  if (Number(request.headers.get('content-length') ?? 0) > options.maxManifestBytes) {
    return tooLarge()
  }
  const read = await readBody(request, options.maxManifestBytes, store)
  if (!read.ok) {
    return read.reason === 'limit'
      ? tooLarge()
      : fail(413, 'DENIED', `mock registry memory limit of ${options.maxBytes} bytes reached`)
  }
  const bytes = concat(read.chunks, read.size)
  const refuse = (response: Response) => {
    store.release(read.size)
    return response
  }
  const info = inspectManifest(bytes, request.headers.get('content-type'), options.manifestTypes)
  if ('code' in info) return refuse(errorResponse(400, info))
  const algorithm = 'digest' in ref ? ref.digest.slice(0, ref.digest.indexOf(':')) : 'sha256'
  const digest = await computeDigest(algorithm, bytes).catch(() => undefined)
  if (!digest) return refuse(fail(400, 'DIGEST_INVALID', `cannot compute ${algorithm} digests`))
  if ('digest' in ref && ref.digest !== digest) {
    return refuse(fail(400, 'DIGEST_INVALID', `manifest digest is ${digest}, not ${ref.digest}`))
  }
  const repo = store.repository(name, true)
  const missing = options.validateReferences
    ? missingReferences(repo, info, options.sparseIndexes)
    : []
  if (missing.length) return refuse(errorResponse(400, missing))
  const allTags = 'tag' in ref ? [ref.tag, ...tags] : tags
  store.putManifest(name, { digest, bytes, mediaType: info.mediaType, info }, allTags)
  const headers = located(`/v2/${name}/manifests/${digest}`, { 'docker-content-digest': digest })
  if (info.subject && options.referrersApi) headers.set('oci-subject', info.subject)
  if (tags.length) headers.set('oci-tag', tags.join(', '))
  return new Response(null, { status: 201, headers })
}

function deleteManifest(ctx: Context, name: string, reference: string): Response {
  const { store, options } = ctx
  if (!options.deleteEnabled) return fail(405, 'UNSUPPORTED', 'deletes are disabled')
  const ref = parseReference(reference)
  if ('error' in ref) return ref.error
  const repo = store.repository(name)
  if (!repo) return fail(404, 'MANIFEST_UNKNOWN', undefined, { reference })
  const accepted = () => new Response(null, { status: 202, headers: { 'content-length': '0' } })
  if ('digest' in ref) {
    if (!store.deleteManifest(name, ref.digest)) {
      return fail(404, 'MANIFEST_UNKNOWN', undefined, { reference })
    }
    return accepted()
  }
  if (options.quirks.digestOnlyDeletes) {
    return fail(400, 'DIGEST_INVALID', 'manifests can only be deleted by digest')
  }
  if (!options.tagDeleteEnabled) return fail(400, 'UNSUPPORTED', 'deleting tags is disabled')
  if (!repo.tags.delete(ref.tag)) return fail(404, 'MANIFEST_UNKNOWN', undefined, { reference })
  return accepted()
}
