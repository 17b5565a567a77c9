export {
  CHANNELS,
  type Channel,
  type ChannelledId,
  type CharmRef,
  InvalidChannelError,
  parseChannel,
  withChannel,
} from './channel.js'
export {
  type CharmId,
  type CharmSchema,
  CharmURL,
  type CharmURLParts,
  InvalidCharmURLError,
  isValidName,
  isValidSeries,
  isValidUser,
  parseCharmURL,
  toCharmURL,
  withRevision,
} from './url.js'
export { VERSION } from './version.js'
