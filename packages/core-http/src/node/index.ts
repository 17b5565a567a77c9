export { fileBody, fromNodeReadable } from './body.js'
export { createDispatcher, createNodeFetch, type NodeFetchOptions } from './fetch.js'
export { type RunningServer, type ServeOptions, serve } from './serve.js'
export { loadUndici } from './undici.js'
