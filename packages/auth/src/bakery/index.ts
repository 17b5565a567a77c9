export { type BakeryAuthOptions, bakeryAuth } from './bakery.js'
export { type BakeryCookie, type CookieJar, memoryJar } from './jar.js'
