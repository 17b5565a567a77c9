import { type RequestBody, WharfError } from '@wharf/core-http'
import { type VerifyingStream, verifyingStream } from '@wharf/transfer'
import { ModelError } from './errors.js'
import type { BlobInfo, BootEnv } from './models.js'
import type { Req } from './request.js'

/** What blob uploads accept: bytes, a Blob, a stream (one-shot: never retried) or a replayable body. */
export type BlobSource =
  | Uint8Array
  | Blob
  | ReadableStream<Uint8Array>
  | Exclude<RequestBody, string>

/** The requests blob helpers need. */
export interface BlobContext {
  req(): Req
}

/** `GET /{at}?params`: the names of the blobs at `at` (`files` lists a directory with `path`). */
export async function listBlobs(c: BlobContext, at: string, params: string[]): Promise<string[]> {
  return (
    (await c
      .req()
      .urlFor(at)
      .params(...params)
      .do<string[]>()) ?? []
  )
}

/** `GET /{at…}` streamed into `dest`. */
export async function getBlob(
  c: BlobContext,
  dest: WritableStream<Uint8Array>,
  at: string[],
): Promise<void> {
  await c
    .req()
    .urlFor(...at)
    .do(dest)
}

/** `GET /files/{parts…}` as a stream. */
export async function file(c: BlobContext, parts: string[]): Promise<ReadableStream<Uint8Array>> {
  const response = await c
    .req()
    .urlFor('files', ...parts)
    .send('application/octet-stream')
  return response.body ?? new ReadableStream({ start: (ctl) => ctl.close() })
}

/** `POST /{at…}` with an octet-stream body; returns what the server stored. */
export async function postBlob(
  c: BlobContext,
  source: BlobSource,
  at: string[],
): Promise<BlobInfo> {
  return c
    .req()
    .post(source)
    .urlFor(...at)
    .do<BlobInfo>()
}

/** `DELETE /{at…}`. */
export async function deleteBlob(c: BlobContext, at: string[]): Promise<void> {
  await c
    .req()
    .del()
    .urlFor(...at)
    .do()
}

function isoName(env: BootEnv, dest?: string): string {
  const name = dest ?? env.OS?.IsoFile
  if (!name) throw new ModelError(`bootenv ${env.Name ?? ''} names no ISO file (OS.IsoFile)`)
  return name
}

/**
 * Uploads an ISO for a bootenv to `/isos/{dest ?? env.OS.IsoFile}`. When the bootenv names an
 * `OS.IsoSha256`, the bytes are verified while they stream: a mismatch aborts the upload.
 */
export async function uploadISOForBootEnv(
  c: BlobContext,
  env: BootEnv,
  source: BlobSource,
  dest?: string,
): Promise<BlobInfo> {
  const name = isoName(env, dest)
  const sha = env.OS?.IsoSha256
  if (!sha) return postBlob(c, source, ['isos', name])
  const expected = `sha256:${sha.toLowerCase()}`
  let verifier: VerifyingStream | undefined
  const verified = (stream: ReadableStream<Uint8Array>) => {
    verifier = verifyingStream({ expected })
    return stream.pipeThrough(verifier)
  }
  let body: BlobSource
  if (source instanceof Uint8Array) body = verified(new Blob([source as BlobPart]).stream())
  else if (source instanceof Blob) body = verified(source.stream())
  else if (source instanceof ReadableStream) body = verified(source)
  else if (typeof source === 'object' && source !== null && 'open' in source) {
    const replayable = source
    body = {
      ...(replayable.size === undefined ? {} : { size: replayable.size }),
      open: async () => verified(await replayable.open()),
    }
  } else throw new ModelError('ISO source must be bytes, a Blob or a stream')
  try {
    return await postBlob(c, body, ['isos', name])
  } catch (error) {
    // A failed verification cuts the upload: report the mismatch, not the broken connection.
    const verdict = await verifier?.result.then(
      () => undefined,
      (e: unknown) => e,
    )
    throw verdict instanceof WharfError ? verdict : error
  }
}
