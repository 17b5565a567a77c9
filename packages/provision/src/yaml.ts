import { WharfError } from '@wharf/core-http'
import { parse, stringify } from 'yaml'

/** Input could not be decoded as YAML or JSON. */
export class DecodeError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_DECODE', message, options)
  }
}

/**
 * Decodes user input that may be YAML or JSON (JSON is YAML). Not for wire data: the API
 * speaks JSON only. Throws DecodeError with the parser's message.
 */
export function decodeYaml<T = unknown>(input: string | Uint8Array): T {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input)
  try {
    // logLevel error: warnings (an unknown tag, say) never go to process.emitWarning
    return parse(text, { maxAliasCount: 100, logLevel: 'error' }) as T
  } catch (error) {
    throw new DecodeError(`not valid YAML or JSON: ${(error as Error).message}`, { cause: error })
  }
}

/** Output formats of {@link pretty}. */
export type PrettyFormat = 'json' | 'yaml'

/** Formats an object as indented JSON or as YAML (the CLI's output formats). */
export function pretty(format: PrettyFormat, object: unknown): string {
  if (format === 'json') return `${JSON.stringify(object, null, 2)}\n`
  if (format === 'yaml') return stringify(object)
  throw new DecodeError(`unknown format ${JSON.stringify(String(format))}: use json or yaml`)
}
