import { randomBytes } from 'node:crypto'
import { bakeryAuth } from '@wharf/auth'
import { createHttpClient } from '@wharf/core-http'
import { serve } from '@wharf/core-http/node'
import macaroon from 'macaroon'

// A charm-store-like service minting a macaroon with a third-party caveat, and the
// identity service that discharges it (both in a few lines, for the example only).
const rootKey = randomBytes(24)
const caveatKeys = new Map<string, Uint8Array>()
const identity = await serve(async (request: Request) => {
  const id = new URLSearchParams(await request.text()).get('id') ?? ''
  const discharge = macaroon.newMacaroon({ identifier: id, rootKey: caveatKeys.get(id)! })
  discharge.addFirstPartyCaveat('declared username alice')
  return Response.json({ Macaroon: discharge.exportJSON() })
})
const store = await serve((request: Request) => {
  const cookie = request.headers.get('cookie')?.match(/macaroon-authn=([^;]+)/)?.[1]
  if (cookie) {
    const [primary, ...discharges] = macaroon.importMacaroons(
      JSON.parse(Buffer.from(cookie, 'base64').toString()),
    )
    primary!.verify(rootKey, () => null, discharges) // throws unless properly discharged
    return Response.json({ User: 'alice' })
  }
  const m = macaroon.newMacaroon({ identifier: randomBytes(16), rootKey })
  const caveatKey = randomBytes(24)
  caveatKeys.set('is-authenticated-user', caveatKey)
  m.addThirdPartyCaveat(caveatKey, 'is-authenticated-user', identity.url)
  return Response.json(
    {
      Code: 'macaroon discharge required',
      Message: 'authentication required',
      Info: { Macaroon: m.exportJSON(), MacaroonPath: '/', CookieNameSuffix: 'authn' },
    },
    { status: 401, headers: { 'www-authenticate': 'Macaroon' } },
  )
})

const client = createHttpClient({
  baseUrl: store.url,
  auth: bakeryAuth({
    // Called when a discharger needs a human; without it: InteractionRequiredError.
    interact: async (visitUrl) => console.log(`please log in at ${visitUrl}`),
  }),
})
const whoami = await client.json<{ User: string }>('/v5/whoami')

await Promise.all([store.close(), identity.close()])
console.log(whoami)

export { whoami }
