import { hashStream } from '@wharf/transfer'
import { fileSource } from '@wharf/transfer/node'
import { LibraryError } from '../errors.js'

type SizedSource = { size: number; open(start: number, end: number): ReadableStream<Uint8Array> }

/**
 * The library hash of an image file, `sha256.<hex>` of its content (the seed's `ImageHash`;
 * like the seed it never derives `sif.<uuid>`, which `isImageHash` still accepts).
 */
export async function imageHash(file: string): Promise<string> {
  let source: SizedSource
  try {
    source = fileSource(file) as SizedSource
  } catch (error) {
    throw new LibraryError('ERR_INVALID_ARGUMENT', `cannot hash ${file}: not a readable file`, {
      cause: error,
    })
  }
  const { digest } = await hashStream(source.open(0, source.size))
  return digest.toLibraryString()
}
