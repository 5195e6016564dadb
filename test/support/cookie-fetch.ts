/**
 * A fetch that keeps cookies like a browser tab does, for driving a real Better Auth server
 * from Node (each "device" gets its own jar). `base` is the fetch underneath, for a test that
 * installs the jar as the global fetch (an SDK that calls `fetch` directly).
 */
export function cookieFetch(
  base: typeof fetch = globalThis.fetch,
): typeof fetch & { clear(): void } {
  const jar = new Map<string, string>()
  const wrapped = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const headers = new Headers(request.headers)
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    if (!headers.has('origin')) headers.set('origin', new URL(request.url).origin)
    const response = await base(new Request(request, { headers }))
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }) as typeof fetch & { clear(): void }
  wrapped.clear = () => jar.clear()
  return wrapped
}
