const ALLOWED = /^[A-Za-z0-9.-]$/

/**
 * A key `expo-secure-store` accepts (`/^[\w.-]+$/`) for any string, one-to-one: letters,
 * digits, `.` and `-` stay, every other character (`_` included) becomes `_<hex code>_`, so
 * `keyway:app` → `keyway_3a_app` and no two keys ever share an entry.
 *
 * @example
 * ```ts
 * secureStoreKey('keyway:http') // 'keyway_3a_http'
 * ```
 */
export function secureStoreKey(key: string): string {
  let out = ''
  for (const char of key)
    out += ALLOWED.test(char) ? char : `_${char.codePointAt(0)!.toString(16)}_`
  // Every escape is at least four characters long, so a lone `_` names the empty key only.
  return out === '' ? '_' : out
}
