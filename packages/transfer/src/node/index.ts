export { fileSource } from './file-source.js'
