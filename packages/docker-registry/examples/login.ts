import { LoginError, login } from '@wharf/docker-registry'
import { createMockDockerRegistry } from '@wharf/docker-registry/mock'

// A registry with a token realm that hands out refresh (identity) tokens.
const mock = createMockDockerRegistry({
  auth: { type: 'token', username: 'alice', password: 's3cret' },
})
const server = await mock.listen()

// `docker login <server>`: V2 ping, follow the challenge, get a token with the password.
const result = await login({ username: 'alice', password: 's3cret', serverAddress: server.url })
console.log(result.status, result.serverAddress, result.identityToken ? '(identity token)' : '')

// Bad credentials are a LoginError with a stable code; the password never shows up in it.
let refused = ''
try {
  await login({ username: 'alice', password: 'guess', serverAddress: server.url })
} catch (error) {
  if (error instanceof LoginError) refused = error.code
}

// Later logins can use the identity token instead of the password (OAuth2 refresh grant).
const again = await login({ identityToken: result.identityToken!, serverAddress: server.url })

await server.close()

export { again, refused, result }
