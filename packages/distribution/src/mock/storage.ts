import { serveBlobBytes } from './blob-response.js'
import type { Store } from './store.js'

interface Link {
  name: string
  digest: string
  expiresAt: number
}

const LIFETIME_MS = 10 * 60 * 1000
const MAX_LINKS = 10_000

/** Presigned-style URLs for redirected blob GETs: a random signature valid for 10 minutes. */
export class StorageLinks {
  private readonly links = new Map<string, Link>()

  constructor(private readonly now: () => number) {}

  /** A URL on `origin` that serves the blob without registry credentials. */
  sign(origin: string, name: string, digest: string): string {
    const signature = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('')
    if (this.links.size >= MAX_LINKS) this.links.delete(this.links.keys().next().value!)
    const expiresAt = this.now() + LIFETIME_MS
    this.links.set(signature, { name, digest, expiresAt })
    const url = new URL(`/_storage/${name}/blobs/${digest}`, origin)
    url.searchParams.set('expires', String(Math.floor(expiresAt / 1000)))
    url.searchParams.set('signature', signature)
    return url.href
  }

  /** The link a signature grants, when valid for this path. */
  verify(url: URL): Link | undefined {
    const link = this.links.get(url.searchParams.get('signature') ?? '')
    if (!link || link.expiresAt <= this.now()) return undefined
    return url.pathname === `/_storage/${link.name}/blobs/${link.digest}` ? link : undefined
  }

  /** Forgets every link. */
  clear(): void {
    this.links.clear()
  }
}

function storageError(status: number, code: string, message: string): Response {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`
  return new Response(body, { status, headers: { 'content-type': 'application/xml' } })
}

/**
 * The storage origin: serves signed blob URLs like an object store would, and refuses any
 * request that carries `Authorization` (400), as presigned URLs do.
 */
export function handleStorage(
  request: Request,
  url: URL,
  store: Store,
  links: StorageLinks,
  ignoreRange: boolean,
): Response {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return storageError(405, 'MethodNotAllowed', 'only GET and HEAD are allowed')
  }
  if (request.headers.has('authorization')) {
    return storageError(
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed; the signature is in the query string',
    )
  }
  const link = links.verify(url)
  if (!link) return storageError(403, 'AccessDenied', 'signature missing, expired or invalid')
  const bytes = store.blob(link.name, link.digest)
  if (!bytes) return storageError(404, 'NoSuchKey', 'the blob is gone')
  return serveBlobBytes(request, bytes, link.digest, ignoreRange)
}
