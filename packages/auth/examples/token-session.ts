import { basicAuth, tokenSession } from '@wharf/auth'
import { createHttpClient } from '@wharf/core-http'
import { serve } from '@wharf/core-http/node'

// A provision-style API: basic credentials buy a token, the token buys everything else.
let current = ''
const api = await serve((request: Request) => {
  const url = new URL(request.url)
  if (url.pathname === '/api/v3/users/rocketskates/token') {
    current = `token-${Date.now()}`
    return Response.json({ Token: current })
  }
  return request.headers.get('authorization') === `Bearer ${current}`
    ? Response.json([{ Name: 'machine-1' }])
    : new Response(null, { status: 401 })
})

const login = createHttpClient({
  baseUrl: api.url,
  auth: basicAuth({ username: 'rocketskates', password: 'r0cketsk8ts' }),
})
const session = tokenSession({
  login: async (signal) => {
    const { Token } = await login.json<{ Token: string }>('/api/v3/users/rocketskates/token', {
      searchParams: { ttl: 600 },
      signal,
    })
    return { token: Token, expiresAt: Date.now() + 600_000 }
  },
  refreshEvery: 300_000, // in the background; the timer never keeps Node alive
})

const client = createHttpClient({ baseUrl: api.url, auth: session })
const machines = await client.json<Array<{ Name: string }>>('/api/v3/machines')
const hadToken = session.token === current

await client.close() // stops the refresh
await api.close()
console.log(machines, hadToken)

export { hadToken, machines }
