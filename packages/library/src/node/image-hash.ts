import { hashStream } from '@wharf/transfer'
import { fileSource } from '@wharf/transfer/node'

/**
 * The library hash of an image file, `sha256.<hex>` of its content (the seed's `ImageHash`;
 * like the seed it never derives `sif.<uuid>`, which `isImageHash` still accepts).
 */
export async function imageHash(file: string): Promise<string> {
  const source = fileSource(file) as {
    size: number
    open(start: number, end: number): ReadableStream<Uint8Array>
  }
  const { digest } = await hashStream(source.open(0, source.size))
  return digest.toLibraryString()
}
