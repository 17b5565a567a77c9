import type { MockContext } from './context.js'
import { refuse } from './http.js'
import { sendBytes } from './storage.js'
import { presign } from './uploads.js'

/**
 * `GET v1/imagefile/<ref>?arch=…`: 303 to a presigned storage URL (which honours `Range`), or
 * in `stream` mode the file itself with 200.
 */
export function download(ctx: MockContext, request: Request, ref: string, url: URL): Response {
  const { image, container } = ctx.store.resolve(ref, url.searchParams.get('arch') ?? '')
  if (!image?.bytes || !container) return refuse(404, 'requested image was not found')
  container.downloadCount++
  if (ctx.settings.downloads === 'stream') {
    return sendBytes(ctx, image.bytes, request.headers.get('range'), image.hash)
  }
  const location = presign(ctx, `download/${image.id}`, { kind: 'download', imageId: image.id })
  return new Response(null, { status: 303, headers: { location } })
}
