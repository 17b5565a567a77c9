import type { Descriptor } from './types.js'

/** Options every content call takes. */
export interface ContentOptions {
  signal?: AbortSignal
}

/**
 * Content addressed by descriptor (oras-go's Storage): a remote repository, an OCI layout
 * directory or memory. `fetch` streams must be verified against the descriptor.
 */
export interface ContentStore {
  /** The bytes of `descriptor`, verified against its digest and size. */
  fetch(descriptor: Descriptor, options?: ContentOptions): Promise<ReadableStream<Uint8Array>>
  /** True when the store holds `descriptor`. */
  exists(descriptor: Descriptor, options?: ContentOptions): Promise<boolean>
  /** Stores `content` as `descriptor` (the store verifies it). */
  push(
    descriptor: Descriptor,
    content: ReadableStream<Uint8Array>,
    options?: ContentOptions,
  ): Promise<void>
}

/** A content store with names (oras-go's Target): resolve a tag or digest, and tag a descriptor. */
export interface ContentTarget extends ContentStore {
  /** The descriptor a tag or digest names. */
  resolve(reference: string, options?: ContentOptions): Promise<Descriptor>
  /** Points `reference` at `descriptor` (which must be stored). */
  tag(descriptor: Descriptor, reference: string, options?: ContentOptions): Promise<void>
  /**
   * Optional fast path: makes a blob of `from` available here without copying bytes
   * (a cross-repository mount). Resolves false when it cannot.
   */
  mount?(descriptor: Descriptor, from: ContentTarget, options?: ContentOptions): Promise<boolean>
}
