import type { ManifestInfo } from './manifest-info.js'

/** A manifest as stored: its exact bytes, media type and what was read from it. */
export interface StoredManifest {
  digest: string
  bytes: Uint8Array
  mediaType: string
  info: ManifestInfo
}

/** One repository: linked blobs, manifests by digest and tags. */
export interface Repository {
  blobs: Set<string>
  manifests: Map<string, StoredManifest>
  tags: Map<string, string>
}

/** An open blob upload session. */
export interface UploadSession {
  id: string
  repository: string
  /** Secret carried in the Location query; requests without it are refused. */
  state: string
  chunks: Uint8Array[]
  size: number
  touched: number
  busy: boolean
  /** The Location carries the offset; an older Location is refused. */
  offsetInState: boolean
}

/**
 * The registry's memory: a content store shared by repositories (blobs are counted once,
 * freed when no repository links them), repositories, and upload sessions, with a byte budget.
 */
export class Store {
  readonly blobs = new Map<string, { bytes: Uint8Array; links: number }>()
  readonly repositories = new Map<string, Repository>()
  readonly uploads = new Map<string, UploadSession>()
  used = 0

  constructor(readonly maxBytes: number) {}

  /** Reserves `n` bytes of the budget; false (and nothing reserved) when it would overflow. */
  reserve(n: number): boolean {
    if (this.used + n > this.maxBytes) return false
    this.used += n
    return true
  }

  /** Gives `n` reserved bytes back. */
  release(n: number): void {
    this.used = Math.max(0, this.used - n)
  }

  /** The repository, created when `create` is set. */
  repository(name: string, create: true): Repository
  repository(name: string, create?: boolean): Repository | undefined
  repository(name: string, create = false): Repository | undefined {
    let repo = this.repositories.get(name)
    if (!repo && create) {
      repo = { blobs: new Set(), manifests: new Map(), tags: new Map() }
      this.repositories.set(name, repo)
    }
    return repo
  }

  /** Bytes of a blob linked into `name`, or undefined. */
  blob(name: string, digest: string): Uint8Array | undefined {
    if (!this.repository(name)?.blobs.has(digest)) return undefined
    return this.blobs.get(digest)?.bytes
  }

  /**
   * Links a blob into a repository. `bytes` were reserved by the caller; when the content is
   * already stored they are released again.
   */
  linkBlob(name: string, digest: string, bytes?: Uint8Array): void {
    const repo = this.repository(name, true)
    let stored = this.blobs.get(digest)
    if (stored) {
      if (bytes) this.release(bytes.byteLength)
    } else {
      if (!bytes) throw new Error(`blob ${digest} is not stored`)
      stored = { bytes, links: 0 }
      this.blobs.set(digest, stored)
    }
    if (!repo.blobs.has(digest)) {
      repo.blobs.add(digest)
      stored.links++
    }
  }

  /** Unlinks a blob from a repository, freeing it when no repository links it any more. */
  unlinkBlob(name: string, digest: string): boolean {
    const repo = this.repository(name)
    if (!repo?.blobs.delete(digest)) return false
    const stored = this.blobs.get(digest)!
    if (--stored.links === 0) {
      this.blobs.delete(digest)
      this.release(stored.bytes.byteLength)
    }
    return true
  }

  /** Stores a manifest (bytes already reserved by the caller) and optionally tags it. */
  putManifest(name: string, manifest: StoredManifest, tags: string[]): void {
    const repo = this.repository(name, true)
    const previous = repo.manifests.get(manifest.digest)
    if (previous) this.release(previous.bytes.byteLength)
    repo.manifests.set(manifest.digest, manifest)
    for (const tag of tags) repo.tags.set(tag, manifest.digest)
  }

  /** Deletes a manifest and every tag pointing at it. */
  deleteManifest(name: string, digest: string): boolean {
    const repo = this.repository(name)
    const manifest = repo?.manifests.get(digest)
    if (!repo || !manifest) return false
    repo.manifests.delete(digest)
    this.release(manifest.bytes.byteLength)
    for (const [tag, target] of repo.tags) if (target === digest) repo.tags.delete(tag)
    return true
  }

  /** Drops an upload session and its bytes. */
  dropUpload(id: string): void {
    const session = this.uploads.get(id)
    if (!session) return
    this.uploads.delete(id)
    this.release(session.size)
  }

  /** Forgets everything. */
  clear(): void {
    this.blobs.clear()
    this.repositories.clear()
    this.uploads.clear()
    this.used = 0
  }
}
