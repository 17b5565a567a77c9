export { extractArchive } from './extract.js'
export { archiveFrom, VCS_DIRECTORIES, type ZipDirectoryOptions, zipDirectory } from './zip-dir.js'
