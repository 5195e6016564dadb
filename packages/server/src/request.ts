/**
 * The Bearer token of a Fetch API request's `Authorization` header, or `undefined`.
 *
 * @example
 * ```ts
 * const token = bearerToken(request) // 'eyJ…' or undefined
 * ```
 */
export function bearerToken(request: Request): string | undefined {
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(
    request.headers.get('authorization') ?? '',
  )
  return match?.[1]
}
