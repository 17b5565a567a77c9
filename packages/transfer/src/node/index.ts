export { downloadToFile, type FileDownloadOptions } from './download-file.js'
export { createFastFetch } from './fast-fetch.js'
export { type FileSource, fileSource } from './file-source.js'
