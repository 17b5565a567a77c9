export { imageHash } from './image-hash.js'
