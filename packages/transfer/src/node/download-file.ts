import { type FileHandle, open, rename } from 'node:fs/promises'
import { resolve } from 'node:path'
import { runPool } from '../attempts.js'
import type { Digest, DigestAlgorithm } from '../digest.js'
import { parseDigest } from '../digest.js'
import { type DownloadOptions, planParts, prepare, rangeContext } from '../download.js'
import {
  DigestMismatchError,
  RangeResponseError,
  SizeMismatchError,
  TransferOptionsError,
} from '../errors.js'
import { createHasher } from '../hash.js'
import { fetchPart, probe } from '../ranges.js'
import { type Digester, OrderedHasher, READ_BACK } from './ordered-hash.js'
import { PartWriter } from './part-writer.js'
import { loadState, type ResumeState, removeTemp, saveState, tempPaths } from './resume-state.js'
import { WorkerHasher } from './worker-hasher.js'

/** Options of {@link downloadToFile}. */
export interface FileDownloadOptions extends DownloadOptions {
  /** Where the verified file ends up (replaced atomically if it exists). */
  destination: string
  /**
   * Keep the temporary file after an abort or a network failure and continue it next time
   * (default true). With false it is always removed on failure.
   */
  resume?: boolean
  /** Hash algorithm when `expected` is absent (default sha256). */
  algorithm?: DigestAlgorithm
  /**
   * Hash on a worker thread, in parallel with the transfer (default false): uses a second core
   * and about 35 MiB more memory; see the bench figures before turning it on.
   */
  hashInWorker?: boolean
  /** fdatasync the file before the rename, so a crash cannot leave a torn file (default true). */
  sync?: boolean
}

/**
 * Reads up to `length` bytes at `position` into `scratch` (one buffer reused for every read:
 * the caller hashes the bytes before it reads again).
 */
async function readAt(
  fh: FileHandle,
  scratch: Uint8Array,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const want = Math.min(length, scratch.byteLength)
  let done = 0
  for (let i = 0; done < want && i < 1000; i++) {
    const { bytesRead } = await fh.read(scratch, done, want - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return scratch.subarray(0, done)
}

/** A worker-thread hasher when asked for and available, else an inline one. */
function digesterFor(algorithm: DigestAlgorithm, inWorker: boolean): Digester {
  if (inWorker) {
    try {
      return new WorkerHasher(algorithm)
    } catch {
      // Worker threads unavailable (restricted runtime): hash inline.
    }
  }
  return createHasher(algorithm)
}

/** Errors that prove the temporary file's content wrong: it is never kept for resume. */
function isVerdict(error: unknown): boolean {
  return (
    error instanceof DigestMismatchError ||
    error instanceof SizeMismatchError ||
    (error instanceof RangeResponseError && !error.transient) ||
    error instanceof TransferOptionsError
  )
}

/**
 * Downloads an object to a file. The first request probes size and Range support; objects up
 * to `partSize`, and servers that ignore Range, come in one stream; larger ones in parts of
 * `partSize` with `concurrency` Range requests at once, written at their offsets into
 * `<destination>.wharf-download`. A cut part resumes with a new Range. The file is hashed in
 * order as it is written and renamed onto `destination` only after its size and digest are
 * verified, so no partial or unverified file is ever at `destination`.
 *
 * On a wrong digest, size or Content-Range the temporary file is deleted. On an abort or a
 * network failure it is kept with `<temp>.json` describing it (unless `resume: false`), and the
 * next call for the same destination and object (same size, part size, ETag and expected
 * digest) fetches only the missing bytes.
 */
export async function downloadToFile(
  options: FileDownloadOptions,
): Promise<{ path: string; digest: Digest; size: number }> {
  if (typeof options.destination !== 'string' || !options.destination) {
    throw new TransferOptionsError('destination must be a file path')
  }
  const destination = resolve(options.destination)
  const paths = tempPaths(destination)
  const { partSize, concurrency, controller, report, base } = prepare(options)
  const expected = options.expected === undefined ? undefined : parseDigest(options.expected)
  const algorithm = expected?.algorithm ?? options.algorithm ?? 'sha256'
  const keepForResume = options.resume !== false
  let fh: FileHandle | undefined
  let digester: Digester | undefined
  let state: ResumeState | undefined
  let saving = Promise.resolve()
  const save = () => {
    const snapshot = state && { ...state, parts: [...state.parts] }
    saving = saving
      .then(() => (snapshot ? saveState(paths.state, snapshot) : undefined))
      .catch(() => {})
    return saving
  }
  try {
    const found = await probe(base, partSize)
    const parts = planParts(found, partSize)
    const size = found.size
    const prior =
      keepForResume && found.ranged && size !== undefined
        ? await loadState(
            paths,
            {
              size,
              partSize,
              ...(found.etag ? { etag: found.etag } : {}),
              ...(expected ? { expected: expected.toString() } : {}),
            },
            parts.length,
          )
        : undefined
    if (!prior) await removeTemp(paths)
    const have = prior?.parts ?? parts.map(() => 0)
    if (found.ranged && size !== undefined) {
      state = {
        version: 1,
        size,
        partSize,
        ...(found.etag ? { etag: found.etag } : {}),
        ...(expected ? { expected: expected.toString() } : {}),
        parts: have,
      }
    }
    const resumed = have.reduce((a, b) => a + b, 0)
    report({ type: 'start', ...(size === undefined ? {} : { total: size }) })
    fh = await open(paths.temp, prior ? 'r+' : 'w+').catch((error: Error) => {
      throw new TransferOptionsError(`cannot write ${paths.temp}: ${error.message}`)
    })
    const file = fh
    const scratch = new Uint8Array(READ_BACK)
    digester = digesterFor(algorithm, options.hashInWorker === true)
    const hasher = new OrderedHasher(
      digester,
      partSize,
      parts.map((p, i) => p.start + have[i]!),
      (position, length) => readAt(file, scratch, position, length),
    )
    const ctx = rangeContext(base, found, report, resumed)
    let next = 0
    let firstUsed = false
    await runPool(
      concurrency,
      () => {
        for (; next < parts.length; next++) {
          const part = parts[next]!
          const length = part.end === undefined ? Number.POSITIVE_INFINITY : part.end - part.start
          if (have[next]! < length) break
        }
        if (next >= parts.length) return undefined
        const index = next++
        const part = parts[index]!
        return async () => {
          // The probe's answer starts at byte 0: usable only if part 1 starts from scratch.
          const first = index === 0 && have[0] === 0 && !firstUsed ? found.first : undefined
          if (first) firstUsed = true
          const writer = new PartWriter(file, (end) => {
            have[index] = end - part.start
            hasher.written(index, end)
          })
          let got: number
          try {
            got = await fetchPart(
              ctx,
              part,
              async (position, bytes) => {
                hasher.arrived(position, bytes)
                await hasher.ready()
                await writer.write(position, bytes)
              },
              { have: have[index]!, ...(first ? { first } : {}) },
            )
          } finally {
            await writer.flush().catch(() => {})
          }
          await writer.flush()
          report({ type: 'part', partNumber: index + 1, size: got })
          await save()
        }
      },
      (error) => controller.abort(error),
    )
    if (!firstUsed) found.first.body?.cancel().catch(() => {})
    const { digest, hashed } = await hasher.finish()
    if (size !== undefined && hashed !== size)
      throw new SizeMismatchError(size, hashed, destination)
    if (expected && !expected.equals(digest))
      throw new DigestMismatchError(expected, digest, hashed)
    report({ type: 'finalizing' })
    if (options.sync !== false) await fh.datasync()
    await fh.close()
    fh = undefined
    await saving
    await rename(paths.temp, destination)
    await removeTemp(paths)
    report({ type: 'done', transferred: hashed })
    return { path: destination, digest, size: hashed }
  } catch (error) {
    controller.abort(error)
    if (digester instanceof WorkerHasher) await digester.close()
    await fh?.close().catch(() => {})
    await saving
    if (keepForResume && state && !isVerdict(error)) await save()
    else await removeTemp(paths)
    report({ type: 'error', error })
    throw error
  }
}
