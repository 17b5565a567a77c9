import type { ReplayableBody } from '@wharf/core-http'
import {
  abortError,
  isTransient,
  linkedController,
  retryDelay,
  runPool,
  sleep,
  throwIfAborted,
} from './attempts.js'
import type { Digest, DigestAlgorithm } from './digest.js'
import { positive } from './options.js'
import { bufferBody, PartReader } from './parts.js'
import { type ProgressListener, progressReporter } from './progress.js'
import { sourceSize, type UploadSource } from './source.js'

/** One part handed to {@link MultipartAdapter.uploadPart}. */
export interface UploadPart {
  uploadId: string
  /** 1-based. */
  partNumber: number
  /** Offset of the part in the source. */
  offset: number
  size: number
  /** The part's bytes; may be opened again for a retry. */
  body: ReplayableBody
  /** Checksum of the part, computed while it was read. */
  checksum: Digest
}

/** A part listed to {@link MultipartAdapter.complete}. */
export interface CompletedPart {
  partNumber: number
  size: number
  etag?: string
  checksum: Digest
}

/** The protocol side of a multipart upload (Library v2, charm store resources, S3-like APIs). */
export interface MultipartAdapter<T> {
  /** Creates the upload; may impose its own part size. */
  start(
    info: { size: number; partSize: number; partCount: number },
    signal: AbortSignal,
  ): Promise<{ uploadId: string; expiresAt?: Date; partSize?: number }>
  /** Sends one part. Throwing a transient error (see `retryable`) retries the part. */
  uploadPart(part: UploadPart, signal: AbortSignal): Promise<{ etag?: string }>
  /** Finishes the upload with every part in order, and the digest of the whole source. */
  complete(
    info: { uploadId: string; parts: CompletedPart[]; digest?: Digest },
    signal: AbortSignal,
  ): Promise<T>
  /** Discards the upload after a fatal error. */
  abort(info: { uploadId: string }): Promise<void>
}

/** Options of {@link multipartUpload}. */
export interface MultipartOptions<T> {
  source: UploadSource
  /** Expected size; checked against the source. */
  size?: number
  /** Bytes per part (the adapter's `start` may override it). */
  partSize: number
  /** Parts read and sent at once (default 4). Memory: at most concurrency × partSize. */
  concurrency?: number
  /** Algorithm of the per-part checksums and of the whole-source digest (default sha256). */
  checksum?: DigestAlgorithm
  /** Compute the whole source's digest for `complete` (default true). */
  digestSource?: boolean
  adapter: MultipartAdapter<T>
  /** Continue an upload: its id and the parts the server already has (they are not sent). */
  resume?: { uploadId: string; parts: Array<{ partNumber: number; etag?: string }> }
  /** Attempts per part, the first included (default 3). */
  retry?: number
  /** Base wait between attempts in ms, doubling (default 250). */
  retryDelay?: number
  /** Which errors are worth another attempt (default: network, timeout, 408/429/5xx). */
  retryable?: (error: unknown) => boolean
  /** Keep the upload on the server after a failure instead of calling `abort` (for resume). */
  leavePartsOnError?: boolean
  signal?: AbortSignal
  /** Throttled progress: start (with upload id), progress, part, finalizing, done, error. */
  onProgress?: ProgressListener
}

/**
 * Uploads a source in parts through a protocol adapter. Parts are read in order, each into a
 * buffer while its checksum is computed (memory: at most `concurrency × partSize`), then sent
 * with bounded concurrency; a failed part is retried, a fatal error aborts the upload
 * (`adapter.abort`) unless `leavePartsOnError`. Resolves with what `adapter.complete` returns.
 */
export async function multipartUpload<T>(options: MultipartOptions<T>): Promise<T> {
  const { adapter, resume, onProgress } = options
  const size = sourceSize(options.source, options.size)
  const concurrency = positive(options.concurrency ?? 4, 'concurrency', 64)
  const attempts = positive(options.retry ?? 3, 'retry', 100)
  const algorithm = options.checksum ?? 'sha256'
  const retryable = options.retryable ?? isTransient
  const report = progressReporter(onProgress)
  let partSize = positive(options.partSize, 'partSize')
  const controller = linkedController(options.signal)
  const signal = controller.signal
  let uploadId: string | undefined
  const reader = new PartReader(
    options.source,
    size,
    options.digestSource === false ? undefined : algorithm,
  )
  try {
    throwIfAborted(signal, 'multipart upload')
    if (resume) uploadId = resume.uploadId
    else {
      const partCount = Math.max(1, Math.ceil(size / partSize))
      const started = await adapter.start({ size, partSize, partCount }, signal)
      uploadId = started.uploadId
      if (started.partSize !== undefined)
        partSize = positive(started.partSize, 'partSize from start()')
      report({
        type: 'start',
        total: size,
        uploadId,
        ...(started.expiresAt ? { expiresAt: started.expiresAt } : {}),
      })
    }
    const partCount = Math.max(1, Math.ceil(size / partSize))
    if (resume) report({ type: 'start', total: size, uploadId })
    const have = new Map<number, string | undefined>()
    for (const p of resume?.parts ?? [])
      have.set(positive(p.partNumber, 'resume partNumber', partCount), p.etag)

    const done: CompletedPart[] = []
    const sent = new Map<number, number>()
    let finished = 0
    const progress = () => {
      let transferred = finished
      for (const n of sent.values()) transferred += n
      report({ type: 'progress', transferred, total: size })
    }
    const id = uploadId
    let nextPart = 1
    let reading = Promise.resolve()
    await runPool(
      concurrency,
      () => {
        if (nextPart > partCount) return undefined
        const partNumber = nextPart++
        const offset = (partNumber - 1) * partSize
        const length = Math.min(partSize, size - offset)
        return async () => {
          const read = reading.then(() => reader.read(length, algorithm))
          reading = read.then(
            () => {},
            () => {},
          )
          const { bytes, checksum } = await read
          if (have.has(partNumber)) {
            const etag = have.get(partNumber)
            done.push({
              partNumber,
              size: length,
              checksum,
              ...(etag === undefined ? {} : { etag }),
            })
            finished += length
            progress()
            return
          }
          const body = bufferBody(bytes, (n, fresh) => {
            sent.set(partNumber, (fresh ? 0 : (sent.get(partNumber) ?? 0)) + n)
            progress()
          })
          const { etag } = await sendPart(
            { uploadId: id, partNumber, offset, size: length, body, checksum },
            { adapter, attempts, retryable, signal, base: options.retryDelay ?? 250, report },
          )
          sent.delete(partNumber)
          finished += length
          done.push({ partNumber, size: length, checksum, ...(etag === undefined ? {} : { etag }) })
          report({ type: 'part', partNumber, size: length })
          progress()
        }
      },
      (error) => controller.abort(error),
    )
    throwIfAborted(signal, 'multipart upload')
    report({ type: 'finalizing' })
    done.sort((a, b) => a.partNumber - b.partNumber)
    const digest = reader.digest()
    const result = await adapter.complete(
      { uploadId: id, parts: done, ...(digest ? { digest } : {}) },
      signal,
    )
    report({ type: 'done', transferred: size })
    return result
  } catch (thrown) {
    const error =
      signal.aborted && options.signal?.aborted ? abortError(signal, 'multipart upload') : thrown
    reader.close()
    if (uploadId !== undefined && !options.leavePartsOnError) {
      await adapter.abort({ uploadId }).catch(() => {})
    }
    report({ type: 'error', error })
    throw error
  }
}

async function sendPart<T>(
  part: UploadPart,
  o: {
    adapter: MultipartAdapter<T>
    attempts: number
    retryable: (error: unknown) => boolean
    signal: AbortSignal
    base: number
    report: ProgressListener
  },
): Promise<{ etag?: string }> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(o.signal, 'multipart upload')
    try {
      return await o.adapter.uploadPart(part, o.signal)
    } catch (error) {
      if (o.signal.aborted || attempt >= o.attempts || !o.retryable(error)) throw error
      o.report({ type: 'error', error, retrying: true })
      await sleep(retryDelay(o.base, attempt), o.signal)
    }
  }
}
