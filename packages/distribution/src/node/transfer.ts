import type { Digest } from '@wharf/transfer'
import { downloadToFile } from '@wharf/transfer/node'
import { type CopyOptions, copy } from '../copy.js'
import type { Repository } from '../repository.js'
import type { Descriptor } from '../types.js'
import { type LayoutOptions, openLayout } from './layout.js'

/** Options of downloadBlob. */
export interface DownloadBlobOptions {
  /** Expected size (from a descriptor); default: asked with a HEAD. */
  size?: number
  /** Range requests at once when the registry serves ranges (default 4). */
  concurrency?: number
  /** Bytes per Range request (default 8 MiB). */
  partSize?: number
  signal?: AbortSignal
}

/**
 * Downloads a blob to a file with transfer's concurrent ranged download (one stream when the
 * registry ignores Range), verified before it is renamed onto `path`.
 */
export async function downloadBlob(
  repo: Repository,
  digest: string,
  path: string,
  options: DownloadBlobOptions = {},
): Promise<{ path: string; digest: Digest; size: number }> {
  const size = options.size ?? (await repo.headBlob(digest, options)).size
  return downloadToFile({
    fetchRange: repo.fetchRange(digest),
    destination: path,
    expected: digest,
    ...(size >= 0 ? { size } : {}),
    concurrency: options.concurrency ?? 4,
    partSize: options.partSize ?? 8 * 1024 * 1024,
    resume: false,
    ...(options.signal ? { signal: options.signal } : {}),
  })
}

/** Options of pullToLayout / pushFromLayout. */
export type LayoutCopyOptions = Omit<CopyOptions, 'reference' | 'destinationReference'> &
  LayoutOptions & {
    /** Tag to write at the destination (default: the source reference when it is a tag). */
    tag?: string
  }

function copyOptions(reference: string, options: LayoutCopyOptions): CopyOptions {
  const {
    tag,
    create: _c,
    rangedDownloadThreshold: _r,
    partSize: _p,
    sync: _s,
    hashInWorker: _h,
    ...rest
  } = options
  return { ...rest, reference, ...(tag ? { destinationReference: tag } : {}) }
}

/** Pulls an image or index into an OCI layout directory (created when missing). */
export async function pullToLayout(
  repo: Repository,
  reference: string,
  directory: string,
  options: LayoutCopyOptions = {},
): Promise<Descriptor> {
  const layout = await openLayout(directory, options)
  return copy(repo, layout, copyOptions(reference, options))
}

/** Pushes an image or index from an OCI layout directory (by its `ref.name` tag or digest). */
export async function pushFromLayout(
  directory: string,
  reference: string,
  repo: Repository,
  options: LayoutCopyOptions = {},
): Promise<Descriptor> {
  const layout = await openLayout(directory, { ...options, create: false })
  return copy(layout, repo, copyOptions(reference, options))
}
