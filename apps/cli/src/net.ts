import { readFile } from 'node:fs/promises'
import type { FetchLike } from '@wharf/core-http'
import type { Context } from './io.js'

/** True for localhost, 127.0.0.0/8 and ::1 (with or without a port). */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

/** A fetch honouring --insecure, --ca-file and the proxy environment, or undefined for the default. */
export async function nodeFetch(ctx: Context): Promise<FetchLike | undefined> {
  const { insecure, caFile } = ctx.globals
  const proxied = ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy'].some(
    (k) => ctx.io.env[k],
  )
  if (!insecure && !caFile && !proxied) return undefined
  const { createNodeFetch } = await import('@wharf/core-http/node')
  return createNodeFetch({
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
