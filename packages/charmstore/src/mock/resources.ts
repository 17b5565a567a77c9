import { declaredResources } from './charm.js'
import type { Ctx } from './context.js'
import { fail, hexDigest, json, readBody, readJson } from './http.js'
import type { Entity, ResourceRevision } from './state.js'

/** The resource JSON the store returns (`Fingerprint` is base64 of the raw SHA-384). */
export interface ResourceJson {
  Name: string
  Type: 'file' | 'oci-image'
  Path: string
  Description?: string
  Revision: number
  Fingerprint: string | null
  Size: number
}

function fingerprint(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return btoa(String.fromCharCode(...bytes))
}

/** Every uploaded revision of a resource of the entity's base, oldest first. */
export function resourcesFor(ctx: Ctx, e: Entity, name: string): ResourceRevision[] {
  return ctx.store.baseOf(e).resources.get(name) ?? []
}

/** One resource revision (or a placeholder when `r` is undefined) as JSON. */
export function resourceJson(
  e: Entity,
  name: string,
  r: ResourceRevision | undefined,
): ResourceJson {
  const decl = declaredResources(e.meta)[name]
  const out: ResourceJson = {
    Name: name,
    Type: decl?.Type === 2 ? 'oci-image' : 'file',
    Path: decl?.Path ?? '',
    Revision: r ? r.revision : -1,
    Fingerprint: r?.sha384 ? fingerprint(r.sha384) : null,
    Size: r?.bytes?.byteLength ?? 0,
  }
  if (decl?.Description) out.Description = decl.Description
  return out
}

/** The revision a channel sees: newest for `unpublished`, else the one recorded by publish. */
function channelRevision(ctx: Ctx, e: Entity, name: string): ResourceRevision | undefined {
  const revisions = resourcesFor(ctx, e, name)
  const channel = ctx.store.aclChannel(e, ctx.channel)
  if (channel === 'unpublished') return revisions.at(-1)
  const rev = ctx.store.baseOf(e).publishedResources.get(channel)?.[name]
  return revisions.find((r) => r.revision === rev)
}

/** `meta/resources`: every declared resource, sorted by name. */
export function listResources(ctx: Ctx, e: Entity): ResourceJson[] {
  return Object.keys(declaredResources(e.meta))
    .sort()
    .map((name) => resourceJson(e, name, channelRevision(ctx, e, name)))
}

/** `GET /<id>/resource/<name>[/<rev>]` */
export async function getResource(ctx: Ctx, e: Entity, rest: string[]): Promise<Response> {
  const [name, revText] = rest
  if (!name || rest.length > 2) fail('not found', 'not found')
  let r: ResourceRevision | undefined
  if (revText !== undefined) {
    r = /^\d+$/.test(revText)
      ? resourcesFor(ctx, e, name).find((x) => x.revision === Number(revText))
      : undefined
  } else r = channelRevision(ctx, e, name)
  if (!r) fail('not found', `resource ${JSON.stringify(name)} not found`)
  const cache = ctx.store
    .baseOf(e)
    .acls[ctx.store.aclChannel(e, ctx.channel)].Read.includes('everyone')
    ? 'public, max-age=3600'
    : 'no-cache, must-revalidate'
  const body = r.image
    ? new TextEncoder().encode(
        JSON.stringify(
          r.image.imageName
            ? { ImageName: `${r.image.imageName}@${r.image.digest}` }
            : {
                ImageName: `${dockerImage(ctx, e, name)}@${r.image.digest}`,
                Username: 'docker-registry',
                Password: btoa(`pull:${e.user}/${e.name}/${name}`).replace(/=+$/, ''),
              },
        ),
      )
    : r.bytes!
  return new Response(body as BodyInit, {
    headers: {
      'content-type': r.image ? 'application/json' : 'application/octet-stream',
      'content-length': String(body.byteLength),
      'content-sha384': r.sha384 ?? (await hexDigest('SHA-384', body)),
      'cache-control': cache,
    },
  })
}

/** The image name in the store's registry for a docker resource. */
export function dockerImage(ctx: Ctx, e: Entity, name: string): string {
  return `${new URL(ctx.request.url).host}/${e.user}/${e.name}/${name}`
}

function checkDeclared(e: Entity, name: string, type: 1 | 2): void {
  if (e.kind !== 'charm') fail('forbidden', 'cannot upload a resource to a bundle')
  if (name.includes('/')) fail('bad request', 'resource name may not contain "/"')
  const decl = declaredResources(e.meta)[name]
  if (!decl) fail('forbidden', `resource ${JSON.stringify(name)} not found in charm metadata`)
  if (decl.Type !== type)
    fail('forbidden', `resource ${JSON.stringify(name)} has the wrong type for this upload`)
}

function addRevision(
  ctx: Ctx,
  e: Entity,
  name: string,
  wanted: number | undefined,
  r: Omit<ResourceRevision, 'revision'>,
): number {
  const base = ctx.store.baseOf(e)
  const list = base.resources.get(name) ?? []
  const revision = wanted ?? list.reduce((max, x) => Math.max(max, x.revision), -1) + 1
  if (list.some((x) => x.revision === revision))
    fail('duplicate upload', `resource ${name} revision ${revision} already exists`)
  list.push({ revision, ...r })
  list.sort((a, b) => a.revision - b.revision)
  base.resources.set(name, list)
  return revision
}

/** `POST /<id>/resource/<name>` and `PUT /<id>/resource/<name>/<rev>`: bytes, a finished upload, or a docker image. */
export async function putResource(ctx: Ctx, e: Entity, rest: string[]): Promise<Response> {
  const [name, revText] = rest
  const post = ctx.request.method === 'POST'
  if (!name || rest.length > 2) fail('not found', 'not found')
  if (post && revText !== undefined) fail('method not allowed', 'POST not allowed with a revision')
  if (!post && revText === undefined) fail('bad request', 'revision not specified')
  if (!post && !/^\d+$/.test(revText!))
    fail('bad request', `bad revision ${JSON.stringify(revText)}`)
  const wanted = post ? undefined : Number(revText)
  const decl = declaredResources(e.meta)[name]
  if (decl?.Type === 2) {
    checkDeclared(e, name, 2)
    if (ctx.params.has('hash') || ctx.params.has('upload-id'))
      fail('bad request', 'hash and upload-id are not allowed for docker resources')
    const body = await readJson(ctx.request)
    if (!body?.Digest) fail('bad request', 'no digest specified')
    const revision = addRevision(ctx, e, name, wanted, {
      image: { imageName: body.ImageName ?? '', digest: body.Digest },
    })
    return json({ Revision: revision })
  }
  checkDeclared(e, name, 1)
  const filename = ctx.params.get('filename') ?? ''
  const ext = (p: string) => /\.[^./]+$/.exec(p)?.[0]
  if (ext(filename) && decl && ext(decl.Path) && ext(filename) !== ext(decl.Path)) {
    fail('forbidden', `filename extension mismatch (got ${ext(filename)} want ${ext(decl.Path)})`)
  }
  const uploadId = ctx.params.get('upload-id')
  if (uploadId) {
    await readBody(ctx.request, 1024)
    const upload = ctx.uploads.get(uploadId)
    if (!upload) fail('not found', `upload ${uploadId} not found`)
    if (!upload.hash) fail('bad request', 'upload has not been finished')
    if (upload.consumed) fail('bad request', 'upload has already been used')
    const bytes = new Uint8Array(upload.parts.reduce((n, p) => n + p!.size, 0))
    for (const p of upload.parts) bytes.set(p!.bytes, p!.offset)
    const revision = addRevision(ctx, e, name, wanted, { bytes, sha384: upload.hash, filename })
    upload.consumed = true
    return json({ Revision: revision })
  }
  const hash = ctx.params.get('hash')
  if (!hash) fail('bad request', 'hash parameter not specified')
  if (ctx.request.headers.get('content-length') === null)
    fail('bad request', 'Content-Length not specified')
  const bytes = await readBody(ctx.request, ctx.limits.archive)
  const actual = await hexDigest('SHA-384', bytes)
  if (actual !== hash) fail('', `cannot put resource: hash mismatch (got ${actual}, want ${hash})`)
  return json({ Revision: addRevision(ctx, e, name, wanted, { bytes, sha384: actual, filename }) })
}

/** `GET /<id>/docker-resource-upload-info?resource-name=` */
export function dockerUploadInfo(ctx: Ctx, e: Entity): Response {
  const name = ctx.params.get('resource-name')
  if (!name) fail('bad request', 'resource-name parameter not specified')
  if (!e.supportedSeries.includes('kubernetes'))
    fail('forbidden', 'docker resources are only available for Kubernetes charms')
  checkDeclared(e, name, 2)
  return json({
    ImageName: dockerImage(ctx, e, name),
    Username: 'docker-uploader',
    Password: btoa(`push:${e.user}/${e.name}/${name}`).replace(/=+$/, ''),
  })
}
