import type { Ctx, Upload } from './context.js'
import { fail, hexDigest, json, readBody, readJson } from './http.js'

const DAY = 86_400_000

/** Parses a Go duration such as `8h`, `30m`, `1h30m`, `90s`. */
function parseDuration(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }
  let total = 0
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy
  let end = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]!]!
    end = re.lastIndex
  }
  if (end !== text.length || text === '')
    fail('bad request', `invalid expires duration ${JSON.stringify(text)}`)
  return total
}

function describe(ctx: Ctx, u: Upload): Record<string, unknown> {
  const parts = u.parts.length
    ? u.parts.map((p) =>
        p ? { Hash: p.hash, Size: p.size, Offset: p.offset, Complete: true } : {},
      )
    : null
  return {
    UploadId: u.id,
    Parts: { Parts: parts },
    Expires: u.expires.toISOString(),
    MinPartSize: ctx.limits.minPart,
    MaxPartSize: ctx.limits.part,
    MaxParts: ctx.limits.maxParts,
  }
}

function find(ctx: Ctx, id: string): Upload {
  const u = ctx.uploads.get(id)
  if (!u || u.expires.getTime() < Date.now())
    fail('not found', `upload ${JSON.stringify(id)} not found`)
  return u
}

/** `/upload` endpoints: start, inspect, put a part, finish. */
export async function handleUpload(ctx: Ctx, rest: string[]): Promise<Response> {
  ctx.access.require()
  const method = ctx.request.method
  if (rest.length === 0 && method === 'POST') {
    await readBody(ctx.request, 1024)
    const expires = ctx.params.get('expires')
    const ttl = Math.min(expires ? parseDuration(expires) : DAY, DAY)
    const u: Upload = {
      id: crypto.randomUUID().replaceAll('-', '').slice(0, 16),
      expires: new Date(Date.now() + ttl),
      parts: [],
      consumed: false,
    }
    ctx.uploads.set(u.id, u)
    return json(describe(ctx, u))
  }
  const u = find(ctx, rest[0]!)
  if (rest.length === 1 && method === 'GET') return json(describe(ctx, u))
  if (rest.length === 2 && method === 'PUT') return putPart(ctx, u, rest[1]!)
  if (rest.length === 1 && method === 'PUT') return finish(ctx, u)
  return fail('method not allowed', `${method} not allowed here`)
}

async function putPart(ctx: Ctx, u: Upload, partText: string): Promise<Response> {
  if (u.hash) fail('bad request', 'upload already finished')
  if (!/^\d+$/.test(partText) || Number(partText) >= ctx.limits.maxParts)
    fail('bad request', `bad part number ${JSON.stringify(partText)}`)
  const index = Number(partText)
  const hash = ctx.params.get('hash') ?? fail('bad request', 'hash parameter not specified')
  const bytes = await readBody(ctx.request, ctx.limits.part)
  if (bytes.byteLength === 0) fail('bad request', 'part is empty')
  const prev = index === 0 ? { offset: 0, size: 0 } : u.parts[index - 1]
  const offsetText = ctx.params.get('offset')
  if (offsetText === null && !prev)
    fail('bad request', 'offset not specified for a non-sequential part')
  const offset = offsetText === null ? prev!.offset + prev!.size : Number(offsetText)
  if (!Number.isSafeInteger(offset) || offset < 0)
    fail('bad request', `bad offset ${JSON.stringify(offsetText)}`)
  if (prev && offset !== prev.offset + prev.size)
    fail('bad request', `part ${index} offset ${offset} is not contiguous`)
  const actual = await hexDigest('SHA-384', bytes)
  if (actual !== hash)
    fail('bad request', `hash mismatch for part ${index} (got ${actual}, want ${hash})`)
  const existing = u.parts[index]
  if (existing) {
    if (existing.hash !== hash)
      fail('bad request', `part ${index} already uploaded with a different hash`)
    return new Response(null, { status: 200 })
  }
  u.parts[index] = { hash, size: bytes.byteLength, offset, bytes }
  return new Response(null, { status: 200 })
}

async function finish(ctx: Ctx, u: Upload): Promise<Response> {
  const body = await readJson(ctx.request)
  const wanted = body?.Parts
  if (!Array.isArray(wanted)) fail('bad request', 'no parts specified')
  if (wanted.length !== u.parts.length)
    fail('bad request', `part count mismatch (got ${wanted.length}, want ${u.parts.length})`)
  const total = new Uint8Array(u.parts.reduce((n, p) => n + (p?.size ?? 0), 0))
  wanted.forEach((w: any, i: number) => {
    const p = u.parts[i]
    if (!p) fail('bad request', `part ${i} not uploaded`)
    if (w?.Hash !== p.hash) fail('bad request', `hash mismatch for part ${i}`)
    if (i < wanted.length - 1 && p.size < ctx.limits.minPart)
      fail('bad request', `part ${i} too small (${p.size} bytes)`)
    total.set(p.bytes, p.offset)
  })
  u.hash = await hexDigest('SHA-384', total)
  return json({ Hash: u.hash })
}
