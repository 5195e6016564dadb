import { KeywayError, type StoredCredentials, toStoredCredentials } from '@keyway/core'

/**
 * Credentials as JSON, with only the fields keyway stores: whatever else an object carries
 * (a provider's refresh token, by mistake) never reaches the device's storage.
 */
export function credentialsToJson(value: StoredCredentials): string {
  return JSON.stringify(toStoredCredentials(value))
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
  return toStoredCredentials(value)
}

/** A storage call that threw, as `ERR_STORAGE` with the original in `cause`. */
export function storageError(store: string, action: string, cause: unknown): KeywayError {
  return new KeywayError('ERR_STORAGE', `${store} could not ${action} the credentials`, { cause })
}
