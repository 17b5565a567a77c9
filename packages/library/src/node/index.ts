export { fileSource } from '@wharf/transfer/node'
export { imageHash } from './image-hash.js'
