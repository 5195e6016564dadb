import { isStoredCredentials, KeywayError, type StoredCredentials } from '@keyway/core'

/**
 * Credentials as JSON, with only the fields keyway stores: whatever else an object carries
 * (a provider's refresh token, by mistake) never reaches the device's storage.
 */
export function credentialsToJson(value: StoredCredentials): string {
  const { token, endpoint, expiresAtWall, lifetimeMs, receivedAtWall, userId, anonymous } = value
  return JSON.stringify({
    token,
    ...(endpoint === undefined ? {} : { endpoint }),
    expiresAtWall,
    lifetimeMs,
    receivedAtWall,
    userId,
    ...(anonymous ? { anonymous: true } : {}),
  })
}

/**
 * Parses what `credentialsToJson` wrote. Anything else (a value from an older version, a
 * truncated write, another library's data under the same key) is `undefined`: the session
 * then fetches anew instead of failing.
 */
export function credentialsFromJson(
  text: string | null | undefined,
): StoredCredentials | undefined {
  if (typeof text !== 'string') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isStoredCredentials(value)) return undefined
  const v = value
  return {
    token: v.token,
    ...(typeof v.endpoint === 'string' ? { endpoint: v.endpoint } : {}),
    expiresAtWall: v.expiresAtWall,
    lifetimeMs: typeof v.lifetimeMs === 'number' ? v.lifetimeMs : null,
    receivedAtWall: v.receivedAtWall,
    userId: typeof v.userId === 'string' ? v.userId : null,
    ...(v.anonymous === true ? { anonymous: true } : {}),
  }
}

/** A storage call that threw, as `ERR_STORAGE` with the original in `cause`. */
export function storageError(store: string, action: string, cause: unknown): KeywayError {
  return new KeywayError('ERR_STORAGE', `${store} could not ${action} the credentials`, { cause })
}
