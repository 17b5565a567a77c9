import type { ProgressListener } from '@wharf/transfer'
import { parseDigest, RangeResponseError, verifyStream } from '@wharf/transfer'
import { contentLength } from './bytes.js'
import type { CallOptions } from './client.js'
import { BlobUnknownError } from './errors.js'
import { checkDigest } from './reference.js'
import type { RepositoryContext } from './repository.js'
import type { Descriptor } from './types.js'

/** Options of getBlob. */
export interface GetBlobOptions extends CallOptions {
  /** Expected size (from a descriptor): more or fewer bytes fail the stream. */
  size?: number
  /** Progress of the bytes read. */
  onProgress?: ProgressListener
}

/** A verified blob stream with its size. */
export type BlobStream = ReadableStream<Uint8Array> & { size?: number }

function blobPath(repo: RepositoryContext, digest: string): string {
  checkDigest(digest)
  return `/v2/${repo.name}/blobs/${digest}`
}

/**
 * GETs a blob as a stream that fails (DigestMismatchError / SizeMismatchError) unless the
 * bytes hash to `digest`. Redirects to storage are followed without credentials.
 */
export async function getBlob(
  repo: RepositoryContext,
  digest: string,
  options: GetBlobOptions = {},
): Promise<BlobStream> {
  const path = blobPath(repo, digest)
  parseDigest(digest) // refuse content we could not verify before asking for it
  const response = await repo.client.send(path, {
    scopes: [repo.scope('pull')],
    subject: 'blob',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const size = options.size ?? contentLength(response.headers)
  const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
  const verified = verifyStream(body, {
    expected: digest,
    ...(size === undefined ? {} : { size }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
  return Object.assign(verified, size === undefined ? {} : { size })
}

/**
 * GETs bytes `[start, end)` of a blob with a `Range` request (not verified: a caller joins
 * and verifies the parts). Throws RangeResponseError unless the server answers 206 with the
 * matching `Content-Range`.
 */
export async function getBlobRange(
  repo: RepositoryContext,
  digest: string,
  range: { start: number; end: number },
  options: CallOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const response = await repo.client.send(blobPath(repo, digest), {
    headers: { range: `bytes=${range.start}-${range.end - 1}` },
    scopes: [repo.scope('pull')],
    subject: 'blob',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const contentRange = response.headers.get('content-range') ?? ''
  const m = /^bytes (\d+)-(\d+)\//.exec(contentRange)
  if (
    response.status !== 206 ||
    !m ||
    Number(m[1]) !== range.start ||
    Number(m[2]) !== range.end - 1
  ) {
    await response.discard()
    throw new RangeResponseError(
      `range ${range.start}-${range.end - 1} of ${digest}: got ${response.status} ${contentRange || '(no Content-Range)'}`,
    )
  }
  return response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
}

/** What a blob HEAD tells: its digest, size and whether it serves ranges. */
export interface BlobInfo extends Descriptor {
  acceptRanges: boolean
}

/** HEADs a blob; BlobUnknownError when this repository does not have it. */
export async function headBlob(
  repo: RepositoryContext,
  digest: string,
  options: CallOptions = {},
): Promise<BlobInfo> {
  const response = await repo.client.send(blobPath(repo, digest), {
    method: 'HEAD',
    scopes: [repo.scope('pull')],
    subject: 'blob',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return {
    mediaType: (response.headers.get('content-type') ?? 'application/octet-stream')
      .split(';')[0]!
      .trim(),
    digest,
    size: contentLength(response.headers) ?? -1,
    acceptRanges: /bytes/i.test(response.headers.get('accept-ranges') ?? ''),
  }
}

/** True when the repository has the blob; false on 404. */
export async function blobExists(
  repo: RepositoryContext,
  digest: string,
  options: CallOptions = {},
): Promise<boolean> {
  try {
    await headBlob(repo, digest, options)
    return true
  } catch (error) {
    if (error instanceof BlobUnknownError) return false
    throw error
  }
}

/** Throws BlobUnknownError unless the repository has the blob (the seed's `VerifyBlob`). */
export async function verifyBlob(
  repo: RepositoryContext,
  digest: string,
  options: CallOptions = {},
): Promise<void> {
  await headBlob(repo, digest, options)
}

/** DELETEs a blob from the repository. */
export async function deleteBlob(
  repo: RepositoryContext,
  digest: string,
  options: CallOptions = {},
): Promise<void> {
  const response = await repo.client.send(blobPath(repo, digest), {
    method: 'DELETE',
    scopes: [repo.scope('delete')],
    subject: 'blob',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  await response.discard()
}
