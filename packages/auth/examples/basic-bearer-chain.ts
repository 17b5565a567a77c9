import { basicAuth, bearerToken, chain, parseWWWAuthenticate } from '@wharf/auth'
import { type AuthStrategy, createHttpClient } from '@wharf/core-http'
import { serve } from '@wharf/core-http/node'

// An API that records which credential each request carried.
const seen: string[] = []
const api = await serve((request: Request) => {
  const credential =
    request.headers.get('authorization')?.split(' ')[0] ?? request.headers.get('cookie') ?? 'none'
  seen.push(`${new URL(request.url).pathname} ${credential}`)
  return Response.json({ ok: true })
})

// Basic credentials on every request (never over plain HTTP to a remote host).
await createHttpClient({
  baseUrl: api.url,
  auth: basicAuth({ username: 'admin', password: 'hunter2' }),
}).json('/admin')

// `chain` tries strategies in order: here the caller's own strategy handles /ui/ paths with a
// cookie and adds nothing elsewhere, so the bearer token (from a function) takes over.
const uiCookie: AuthStrategy = {
  authorize(request) {
    if (request.url.pathname.startsWith('/ui/')) request.headers.set('cookie', 'sid=abc')
  },
}
const client = createHttpClient({
  baseUrl: api.url,
  auth: chain(
    uiCookie,
    bearerToken(async () => 'api-token'),
  ),
})
await client.json('/ui/dashboard')
await client.json('/api/items')

// Challenges, as the strategies read them.
const challenges = parseWWWAuthenticate(
  'Bearer realm="https://auth.example/token",service="registry", Basic realm="x"',
)

await api.close()
console.log(seen, challenges)

export { challenges, seen }
