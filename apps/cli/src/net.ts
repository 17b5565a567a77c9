import { readFile } from 'node:fs/promises'
import type { FetchLike } from '@wharf/core-http'
import type { Context } from './io.js'

/** True for localhost, 127.0.0.0/8 and ::1 (with or without a port). */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

/**
 * The CLI's fetch: transfer's fast byte path (undici `request`, about twice the throughput of
 * `fetch` for bulk bodies), honouring --insecure, --ca-file and the proxy environment.
 */
export async function nodeFetch(ctx: Context): Promise<FetchLike> {
  const { insecure, caFile } = ctx.globals
  const { createFastFetch } = await import('@wharf/transfer/node')
  return createFastFetch({
    ...(insecure ? { insecure: true } : {}),
    ...(caFile ? { ca: await readFile(caFile) } : {}),
  })
}

/** Reads a secret from standard input (first line, without the newline). */
export async function readSecretFromStdin(ctx: Context): Promise<string> {
  let text = ''
  for await (const chunk of ctx.io.stdin) {
    text += chunk
    if (text.length > 64 * 1024) break
  }
  return text.replace(/\r?\n[\s\S]*$/, '')
}
