import { WharfError } from '@wharf/core-http'
import { type CharmId, type CharmURL, toCharmURL } from './url.js'

/** The charm store channels, most stable first; `unpublished` holds every upload. */
export const CHANNELS = ['stable', 'candidate', 'beta', 'edge', 'unpublished'] as const

/** A charm store channel. */
export type Channel = (typeof CHANNELS)[number]

/** A channel name the store does not know (the v5 API also rejects the legacy `development`). */
export class InvalidChannelError extends WharfError {
  constructor(channel: unknown) {
    super(
      'ERR_INVALID_CHANNEL',
      `invalid channel ${JSON.stringify(String(channel).slice(0, 40))} (expected one of ${CHANNELS.join(', ')})`,
    )
  }
}

/** Checks a channel name; throws InvalidChannelError for anything else. */
export function parseChannel(channel: string): Channel {
  if (!(CHANNELS as readonly string[]).includes(channel)) throw new InvalidChannelError(channel)
  return channel as Channel
}

/** An id bound to the channel a call should use (see {@link withChannel}). */
export interface ChannelledId {
  readonly id: CharmURL
  readonly channel: Channel
}

/** An id, optionally bound to a channel: what every client call taking an id accepts. */
export type CharmRef = CharmId | ChannelledId

/** Binds `id` to `channel` for one call: `client.meta(withChannel('~bob/wordpress', 'edge'), …)`. */
export function withChannel(id: CharmId, channel: Channel): ChannelledId {
  return { id: toCharmURL(id), channel: parseChannel(channel) }
}

/** Splits a reference into its URL and its channel, if any. */
export function resolveRef(ref: CharmRef): { id: CharmURL; channel?: Channel } {
  if (typeof ref === 'object' && 'channel' in ref && 'id' in ref) return ref
  return { id: toCharmURL(ref as CharmId) }
}
