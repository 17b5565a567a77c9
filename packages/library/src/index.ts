export {
  ForbiddenError,
  LibraryError,
  NotFoundError,
  QuotaExceededError,
  RefError,
  type RefErrorCode,
  UnauthorizedError,
} from './errors.js'
export {
  formatLibraryRef,
  type LibraryRef,
  libraryRefHostname,
  libraryRefPort,
  parseAmbiguousLibraryRef,
  parseLibraryRef,
  SCHEME,
} from './reference.js'
export {
  isImageHash,
  isLibraryPullRef,
  isLibraryPushRef,
  isRefPart,
  type LibraryPath,
  parseLibraryPath,
} from './validate.js'
export { VERSION } from './version.js'
