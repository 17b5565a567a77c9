import { registryTokenAuth, scopeFor } from '@wharf/auth'
import { createHttpClient } from '@wharf/core-http'
import { serve } from '@wharf/core-http/node'

// A registry that wants a bearer token from its realm, and the realm handing one out.
const seen: string[] = []
const realm = await serve((request: Request) => {
  const url = new URL(request.url)
  seen.push(`token ${url.searchParams.get('service')} ${url.searchParams.getAll('scope')}`)
  return Response.json({ token: 'opaque-token', expires_in: 300 })
})
const registry = await serve((request: Request) => {
  if (request.headers.get('authorization') === 'Bearer opaque-token') {
    return Response.json({ schemaVersion: 2 })
  }
  const scope = 'repository:library/alpine:pull'
  return new Response(null, {
    status: 401,
    headers: {
      'www-authenticate': `Bearer realm="${realm.url}/token",service="demo",scope="${scope}"`,
    },
  })
})

const client = createHttpClient({
  baseUrl: registry.url,
  // Credentials may also be a lookup by registry host, or come from ~/.docker (see below).
  auth: registryTokenAuth({ credentials: { username: 'alice', password: 'secret' } }),
})
const manifest = await client.json('/v2/library/alpine/manifests/latest', {
  // The protocol client says which scopes an operation needs; one token covers them all.
  context: { scopes: [scopeFor('library/alpine', 'pull')] },
})

await Promise.all([realm.close(), registry.close()])
console.log(manifest, seen)

export { manifest, seen }
