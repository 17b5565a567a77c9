import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { WharfError } from '@wharf/core-http'
import { parseDigest, type UploadSource, verifyStream } from '@wharf/transfer'
import { downloadToFile, fileSource } from '@wharf/transfer/node'
import type { ContentOptions, ContentTarget } from '../content.js'
import { ContentNotFoundError } from '../memory.js'
import { isValidDigest } from '../reference.js'
import { Repository } from '../repository.js'
import { type Descriptor, type ImageIndex, MediaType } from '../types.js'
import { validateIndex } from '../validate.js'

/** The annotation an OCI layout uses for an entry's tag. */
export const REF_NAME = 'org.opencontainers.image.ref.name'

/** A directory is not a usable OCI image layout. */
export class LayoutError extends WharfError {
  constructor(message: string) {
    super('ERR_OCI_LAYOUT', message)
  }
}

/** Options of openLayout. */
export interface LayoutOptions {
  /** Create the layout when the directory has none (default true). */
  create?: boolean
  /** Blobs at least this big are downloaded from a registry with concurrent Range requests (default 16 MiB). */
  rangedDownloadThreshold?: number
  /** Range requests at once for such downloads (default 4). */
  concurrency?: number
  /** Bytes per Range request (default 8 MiB). */
  partSize?: number
  /** fdatasync downloaded blobs before renaming them into place (default true). */
  sync?: boolean
  /** Hash ranged downloads on a worker thread, in parallel with the transfer (default false). */
  hashInWorker?: boolean
}

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) as a
 * content target, compatible with skopeo and umoci: blobs are written to a temporary file,
 * verified, then renamed into place; tags are `org.opencontainers.image.ref.name` entries of
 * `index.json`.
 */
export class OciLayout implements ContentTarget {
  readonly path: string
  readonly #options: LayoutOptions
  #indexWrite: Promise<unknown> = Promise.resolve()

  constructor(path: string, options: LayoutOptions = {}) {
    this.path = path
    this.#options = options
  }

  /** Where a blob lives: `blobs/<alg>/<hex>` (the digest is validated first). */
  blobPath(digest: string): string {
    const d = parseDigest(digest)
    return join(this.path, 'blobs', d.algorithm, d.hex)
  }

  /** The parsed `index.json`. */
  async index(): Promise<ImageIndex> {
    let text: string
    try {
      text = await readFile(join(this.path, 'index.json'), 'utf8')
    } catch {
      throw new LayoutError(`${this.path} has no index.json: not an OCI image layout`)
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new LayoutError(`${this.path}/index.json is not valid JSON`)
    }
    return validateIndex(value, MediaType.ImageIndex)
  }

  /** Verified bytes of a blob. */
  async fetch(
    descriptor: Descriptor,
    _options?: ContentOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    const file = this.blobPath(descriptor.digest)
    if (!(await this.exists(descriptor)))
      throw new ContentNotFoundError(`${descriptor.digest} in ${this.path}`)
    const stream = Readable.toWeb(
      createReadStream(file, { highWaterMark: 1024 * 1024 }),
    ) as ReadableStream<Uint8Array>
    return verifyStream(stream, { expected: descriptor.digest, size: descriptor.size })
  }

  /** True when the blob file exists with the descriptor's size. */
  async exists(descriptor: Descriptor): Promise<boolean> {
    try {
      return (await stat(this.blobPath(descriptor.digest))).size === descriptor.size
    } catch {
      return false
    }
  }

  /** Writes a verified blob: temporary file, digest and size checked, then renamed into place. */
  async push(
    descriptor: Descriptor,
    content: ReadableStream<Uint8Array>,
    options: ContentOptions = {},
  ): Promise<void> {
    const file = this.blobPath(descriptor.digest)
    await mkdir(join(file, '..'), { recursive: true })
    const temp = `${file}.${randomUUID()}.tmp`
    try {
      const verified = verifyStream(content, { expected: descriptor.digest, size: descriptor.size })
      await pipeline(
        Readable.fromWeb(verified as never),
        createWriteStream(temp),
        ...(options.signal ? [{ signal: options.signal }] : []),
      )
      await rename(temp, file)
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
  }

  /** A tag (`ref.name` annotation) or digest listed in `index.json`. */
  async resolve(reference: string): Promise<Descriptor> {
    const { manifests } = await this.index()
    const found = isValidDigest(reference)
      ? manifests.find((d) => d.digest === reference)
      : manifests.find((d) => d.annotations?.[REF_NAME] === reference)
    if (!found) throw new ContentNotFoundError(`${reference} in ${this.path}/index.json`)
    const { annotations: _a, ...descriptor } = found
    return descriptor
  }

  /** Adds `descriptor` to `index.json` under `reference`, replacing an older entry with that name. */
  async tag(descriptor: Descriptor, reference: string): Promise<void> {
    if (!(await this.exists(descriptor)))
      throw new ContentNotFoundError(`${descriptor.digest} in ${this.path}`)
    const update = this.#indexWrite.then(async () => {
      const index = await this.index()
      const { annotations, ...plain } = descriptor
      const entry: Descriptor = { ...plain, annotations: { ...annotations, [REF_NAME]: reference } }
      index.manifests = [
        ...index.manifests.filter((d) => d.annotations?.[REF_NAME] !== reference),
        entry,
      ]
      const temp = join(this.path, `index.json.${randomUUID()}.tmp`)
      await writeFile(temp, JSON.stringify(index))
      await rename(temp, join(this.path, 'index.json'))
    })
    this.#indexWrite = update.catch(() => {})
    await update
  }

  /** The blob's file as a sized, range-openable upload source. */
  async source(descriptor: Descriptor): Promise<UploadSource> {
    if (!(await this.exists(descriptor)))
      throw new ContentNotFoundError(`${descriptor.digest} in ${this.path}`)
    return fileSource(this.blobPath(descriptor.digest))
  }

  /** Large blobs from a registry repository come straight to disk with concurrent Range requests. */
  async copyFrom(
    descriptor: Descriptor,
    from: ContentTarget,
    options: ContentOptions = {},
  ): Promise<'copied' | undefined> {
    const threshold = this.#options.rangedDownloadThreshold ?? 16 * 1024 * 1024
    if (!(from instanceof Repository) || descriptor.size < threshold) return undefined
    const destination = this.blobPath(descriptor.digest)
    await mkdir(join(destination, '..'), { recursive: true })
    await downloadToFile({
      fetchRange: from.fetchRange(descriptor.digest),
      destination,
      size: descriptor.size,
      expected: descriptor.digest,
      concurrency: this.#options.concurrency ?? 4,
      partSize: this.#options.partSize ?? 8 * 1024 * 1024,
      resume: false,
      sync: this.#options.sync ?? true,
      hashInWorker: this.#options.hashInWorker ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    return 'copied'
  }
}

/** Opens (and by default creates) an OCI image layout directory. */
export async function openLayout(path: string, options: LayoutOptions = {}): Promise<OciLayout> {
  const layout = new OciLayout(path, options)
  let header: string | undefined
  try {
    header = await readFile(join(path, 'oci-layout'), 'utf8')
  } catch {
    if (options.create === false) throw new LayoutError(`${path} has no oci-layout file`)
  }
  if (header === undefined) {
    await mkdir(join(path, 'blobs'), { recursive: true })
    await writeFile(join(path, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
    await writeFile(
      join(path, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [] }),
    )
  } else {
    let version: unknown
    try {
      version = JSON.parse(header).imageLayoutVersion
    } catch {
      // reported below
    }
    if (typeof version !== 'string' || !version.startsWith('1.')) {
      throw new LayoutError(`${path}/oci-layout does not declare imageLayoutVersion 1.x`)
    }
    await layout.index()
  }
  return layout
}
