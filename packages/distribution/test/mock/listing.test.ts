import { describe, expect, it } from 'vitest'
import { drain, errorCode, pushImage, type Target, TRANSPORTS, useRegistry } from './targets.js'

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

/** Follows `Link: <…>; rel="next"` (at most `max` pages) and collects the pages. */
async function walk<T>(t: Target, path: string, pick: (body: any) => T[], max = 50) {
  const pages: T[][] = []
  let next: string | undefined = path
  for (let i = 0; next && i < max; i++) {
    const r = await t.fetch(next)
    expect(r.status).toBe(200)
    pages.push(pick(await r.json()))
    const link = r.headers.get('link')
    next = link ? /^<([^>]+)>;\s*rel="next"$/.exec(link)![1] : undefined
  }
  return pages
}

async function tagged(t: Target, name: string, tags: string[]) {
  const { manifest } = await pushImage(t, name)
  for (const tag of tags) {
    const r = await t.fetch(`/v2/${name}/manifests/${tag}`, {
      method: 'PUT',
      body: manifest,
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    })
    expect(r.status).toBe(201)
  }
}

describe.each(TRANSPORTS)('tags and catalog over %s', (transport) => {
  const t = useRegistry(transport, { maxPageSize: 3 })
  const TAGS = ['1.0', '1.1', '2.0', 'Latest', 'a', 'b', 'latest']

  it('pages tags in byte order with Link and n', async () => {
    await tagged(t, 'acme/app', [...TAGS].reverse())
    const pages = await walk(t, '/v2/acme/app/tags/list?n=2', (b) => b.tags as string[])
    expect(pages).toEqual([['1.0', '1.1'], ['2.0', 'Latest'], ['a', 'b'], ['latest']])
  })

  it.each([
    ['?last=a', ['b', 'latest'], null],
    ['?n=0', [], null],
    ['', ['1.0', '1.1', '2.0'], '</v2/acme/app/tags/list?n=3&last=2.0>; rel="next"'],
    ['?n=100', ['1.0', '1.1', '2.0'], '</v2/acme/app/tags/list?n=3&last=2.0>; rel="next"'],
    ['?n=2&last=zzz', [], null],
  ])('tags/list%s', async (query, tags, link) => {
    await tagged(t, 'acme/app', TAGS)
    const r = await t.fetch(`/v2/acme/app/tags/list${query}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('link')).toBe(link)
    expect(await r.json()).toEqual({ name: 'acme/app', tags })
  })

  it.each(['-1', 'two', '1.5'])('n=%s → 400 PAGINATION_NUMBER_INVALID', async (n) => {
    await tagged(t, 'acme/app', ['v1'])
    const r = await t.fetch(`/v2/acme/app/tags/list?n=${n}`)
    expect(r.status).toBe(400)
    expect(await errorCode(r)).toBe('PAGINATION_NUMBER_INVALID')
  })

  it('unknown repository → 404 NAME_UNKNOWN; a repository without tags → []', async () => {
    const none = await t.fetch('/v2/acme/none/tags/list')
    expect(none.status).toBe(404)
    expect(await errorCode(none)).toBe('NAME_UNKNOWN')
    await pushImage(t, 'acme/untagged')
    expect(await (await t.fetch('/v2/acme/untagged/tags/list')).json()).toEqual({
      name: 'acme/untagged',
      tags: [],
    })
  })

  it('pages the catalog with Link', async () => {
    for (const name of ['z/last', 'a/first', 'm/mid', 'b/x', 'c/y']) await pushImage(t, name)
    const pages = await walk(t, '/v2/_catalog?n=2', (b) => b.repositories as string[])
    expect(pages).toEqual([['a/first', 'b/x'], ['c/y', 'm/mid'], ['z/last']])
  })
})

describe.each(TRANSPORTS)('referrers over %s', (transport) => {
  const t = useRegistry(transport, { referrersPageSize: 2 })
  const SBOM = 'application/vnd.example.sbom'
  const SIG = 'application/vnd.example.signature'

  async function withReferrers() {
    const subject = await pushImage(t, 'acme/app', { reference: 'v1' })
    const descriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: subject.digest,
      size: subject.size,
    }
    const sboms = []
    for (const i of [1, 2, 3]) {
      sboms.push(
        await pushImage(t, 'acme/app', {
          extra: { artifactType: SBOM, subject: descriptor, annotations: { n: String(i) } },
        }),
      )
    }
    const sig = await pushImage(t, 'acme/app', {
      extra: { artifactType: SIG, subject: descriptor },
    })
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [],
      subject: descriptor,
    })
    const r = await t.fetch(`/v2/acme/app/manifests/bundle`, {
      method: 'PUT',
      body: index,
      headers: { 'content-type': OCI_INDEX },
    })
    expect(r.headers.get('oci-subject')).toBe(subject.digest)
    return { subject, sboms, sig, index }
  }

  it('lists every referrer across pages with artifactType and annotations', async () => {
    const { subject, sboms, sig } = await withReferrers()
    const pages = await walk(t, `/v2/acme/app/referrers/${subject.digest}`, (b) => b.manifests)
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1])
    const all = pages.flat() as Array<Record<string, unknown>>
    const sbom1 = all.find((e) => e.digest === sboms[0]!.digest)
    expect(sbom1).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sboms[0]!.digest,
      size: sboms[0]!.size,
      artifactType: SBOM,
      annotations: { n: '1' },
    })
    expect(all.find((e) => e.digest === sig.digest)?.artifactType).toBe(SIG)
    const indexEntry = all.find((e) => e.mediaType === OCI_INDEX)!
    expect(indexEntry).not.toHaveProperty('artifactType')
    expect(indexEntry).not.toHaveProperty('annotations')
  })

  it('filters by artifactType with OCI-Filters-Applied, across pages', async () => {
    const { subject, sboms } = await withReferrers()
    const first = await t.fetch(`/v2/acme/app/referrers/${subject.digest}?artifactType=${SBOM}`)
    expect(first.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(first.headers.get('content-type')).toBe(OCI_INDEX)
    await drain(first)
    const pages = await walk(
      t,
      `/v2/acme/app/referrers/${subject.digest}?artifactType=${SBOM}`,
      (b) => b.manifests,
    )
    expect(
      pages
        .flat()
        .map((e: any) => e.digest)
        .sort(),
    ).toEqual(sboms.map((s) => s.digest).sort())
  })

  it('forgets a deleted referrer', async () => {
    const { subject, sig } = await withReferrers()
    await drain(await t.fetch(`/v2/acme/app/manifests/${sig.digest}`, { method: 'DELETE' }))
    const pages = await walk(
      t,
      `/v2/acme/app/referrers/${subject.digest}?artifactType=${SIG}`,
      (b) => b.manifests,
    )
    expect(pages.flat()).toEqual([])
  })

  it('an unknown repository → 200 empty index; a malformed digest → 400', async () => {
    const r = await t.fetch(`/v2/acme/none/referrers/sha256:${'a'.repeat(64)}`)
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] })
    const bad = await t.fetch('/v2/acme/none/referrers/sha256:nothex')
    expect(bad.status).toBe(400)
    expect(await errorCode(bad)).toBe('DIGEST_INVALID')
  })
})

describe.each(TRANSPORTS)('without the referrers API over %s', (transport) => {
  const t = useRegistry(transport, {
    referrersApi: false,
    origin: 'http://noreferrers.mock',
    storageOrigin: 'http://noreferrers-storage.mock',
  })

  it('answers 404 (not OCI JSON) and sends no OCI-Subject', async () => {
    const subject = await pushImage(t, 'acme/app')
    const referrer = await pushImage(t, 'acme/app', {
      extra: {
        subject: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: subject.digest,
          size: subject.size,
        },
      },
    })
    expect(referrer.put.headers.get('oci-subject')).toBeNull()
    const r = await t.fetch(`/v2/acme/app/referrers/${subject.digest}`)
    expect(r.status).toBe(404)
    expect(await r.text()).toBe('404 page not found\n')
  })
})
