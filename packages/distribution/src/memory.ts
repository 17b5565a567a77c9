import { concatBytes, WharfError } from '@wharf/core-http'
import { parseDigest, verifyStream } from '@wharf/transfer'
import { bytesStream } from './bytes.js'
import type { ContentOptions, ContentTarget } from './content.js'
import { isValidDigest } from './reference.js'
import type { Descriptor } from './types.js'

/** Content a memory store or layout does not hold. */
export class ContentNotFoundError extends WharfError {
  constructor(what: string) {
    super('ERR_NOT_FOUND', `${what} not found`)
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part)
  return concatBytes(parts)
}

/** An in-memory content target (for tests and small artifacts); pushes are verified. */
export class MemoryTarget implements ContentTarget {
  /** Stored bytes by digest. */
  readonly blobs = new Map<string, { descriptor: Descriptor; bytes: Uint8Array }>()
  /** Tags → descriptors. */
  readonly tags = new Map<string, Descriptor>()

  /** The verified bytes of a stored descriptor. */
  async fetch(
    descriptor: Descriptor,
    _options?: ContentOptions,
  ): Promise<ReadableStream<Uint8Array>> {
    const found = this.blobs.get(descriptor.digest)
    if (!found) throw new ContentNotFoundError(descriptor.digest)
    const bytes = found.bytes
    return verifyStream(bytesStream(bytes), { expected: descriptor.digest, size: descriptor.size })
  }

  /** True when the digest is stored. */
  async exists(descriptor: Descriptor): Promise<boolean> {
    return this.blobs.has(descriptor.digest)
  }

  /** Reads, verifies and stores `content`. */
  async push(descriptor: Descriptor, content: ReadableStream<Uint8Array>): Promise<void> {
    parseDigest(descriptor.digest)
    const bytes = await readAll(
      verifyStream(content, { expected: descriptor.digest, size: descriptor.size }),
    )
    this.blobs.set(descriptor.digest, { descriptor, bytes })
  }

  /** A tag's descriptor, or a stored digest's. */
  async resolve(reference: string): Promise<Descriptor> {
    const found = isValidDigest(reference)
      ? this.blobs.get(reference)?.descriptor
      : this.tags.get(reference)
    if (!found) throw new ContentNotFoundError(reference)
    return found
  }

  /** Points `reference` at a stored descriptor. */
  async tag(descriptor: Descriptor, reference: string): Promise<void> {
    if (!this.blobs.has(descriptor.digest)) throw new ContentNotFoundError(descriptor.digest)
    this.tags.set(reference, descriptor)
  }
}
