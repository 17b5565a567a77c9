import { createHttpClient, HttpError } from '@wharf/core-http'
import { serve } from '@wharf/core-http/node'

// A tiny API to talk to: two pages of items, and a 404 with an error body.
const api = await serve((request: Request) => {
  const url = new URL(request.url)
  if (url.pathname === '/items' && !url.searchParams.has('page')) {
    return Response.json(['a', 'b'], { headers: { link: '</items?page=2>; rel="next"' } })
  }
  if (url.pathname === '/items') return Response.json(['c'])
  return Response.json(
    { errors: [{ code: 'NOT_FOUND', message: 'no such thing' }] },
    { status: 404 },
  )
})

const client = createHttpClient({
  baseUrl: api.url,
  userAgent: 'wharf-example/1.0',
  timeout: 10_000, // wait for response headers
  idleTimeout: 30_000, // longest silence inside a body
  retry: { limit: 3, backoff: 'exponential' },
})

const items: string[] = []
for await (const page of client.paginate('/items')) items.push(...(await page.json<string[]>()))

let missing = ''
try {
  await client.json('/nothing')
} catch (error) {
  if (error instanceof HttpError) missing = `${error.status} ${error.errors[0]?.code}`
}

await api.close()
console.log(items.join(','), missing)

export { items, missing }
