/**
 * The most of a token keyway ever shows: `eyJ…` and its last 6 characters.
 *
 * @example
 * ```ts
 * redactToken('eyJhbGciOiJFUzI1NiJ9.e30.abcdefghij') // 'eyJ…efghij'
 * ```
 */
export function redactToken(token: string | undefined | null): string {
  if (typeof token !== 'string' || token.length === 0) return '(none)'
  if (token.length <= 12) return '…'
  return `${token.slice(0, 3)}…${token.slice(-6)}`
}
