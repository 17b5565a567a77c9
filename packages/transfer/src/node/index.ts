export { downloadToFile, type FileDownloadOptions } from './download-file.js'
export { fileSource } from './file-source.js'
