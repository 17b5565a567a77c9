export {
  type BakeryAuthOptions,
  type BakeryCookie,
  bakeryAuth,
  type CookieJar,
  memoryJar,
} from './bakery/index.js'
export { type BasicAuthOptions, basicAuth } from './basic.js'
export { type BearerTokenOptions, bearerToken } from './bearer.js'
export { chain } from './chain.js'
export {
  AuthError,
  DischargeError,
  InteractionRequiredError,
  SessionClosedError,
} from './errors.js'
export {
  type RegistryCredentials,
  type RegistryTokenAuth,
  type RegistryTokenAuthOptions,
  registryTokenAuth,
} from './registry-token.js'
export { mergeScopes, scopeFor } from './scope.js'
export {
  type SessionToken,
  type TokenSession,
  type TokenSessionOptions,
  tokenSession,
} from './token-session.js'
export { isLoopback } from './transport.js'
export { VERSION } from './version.js'
export { type Challenge, parseWWWAuthenticate } from './www-authenticate.js'
