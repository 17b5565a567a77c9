import type { UploadSource } from '@wharf/transfer'
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
  /**
   * Optional: a sized, range-openable view of a stored blob (a file), so an upload can send
   * byte ranges and resend one after a failure.
   */
  source?(descriptor: Descriptor, options?: ContentOptions): Promise<UploadSource>
}

/** A content store with names (oras-go's Target): resolve a tag or digest, and tag a descriptor. */
export interface ContentTarget extends ContentStore {
  /** The descriptor a tag or digest names. */
  resolve(reference: string, options?: ContentOptions): Promise<Descriptor>
  /** Points `reference` at `descriptor` (which must be stored). */
  tag(descriptor: Descriptor, reference: string, options?: ContentOptions): Promise<void>
  /**
   * Optional fast path for a blob of `from`: a cross-repository mount, or a ranged
   * download straight to disk. Resolves `undefined` when it does not apply (copy() then
   * streams the blob through fetch/push), otherwise how the blob got here.
   */
  copyFrom?(
    descriptor: Descriptor,
    from: ContentTarget,
    options?: ContentOptions,
  ): Promise<'mounted' | 'copied' | undefined>
}
