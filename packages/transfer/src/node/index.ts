export { downloadToFile, type FileDownloadOptions } from './download-file.js'
export { createFastFetch } from './fast-fetch.js'
export { fileSource } from './file-source.js'
