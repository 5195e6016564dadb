/** What reading a bounded body found. */
export type BoundedBody =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'too_large' | 'unreadable' }

/**
 * Reads a body stream up to `maxBytes` and no further: past the limit it cancels the stream
 * (so the sender's remaining bytes are never pulled) and answers `too_large`. A declared
 * `Content-Length` over the limit is refused before a byte is read.
 *
 * @example
 * ```ts
 * const body = await readBounded(request.body, 64 * 1024, request.headers.get('content-length'))
 * if (!body.ok) return new Response(null, { status: body.reason === 'too_large' ? 413 : 400 })
 * ```
 */
export async function readBounded(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  contentLength?: string | null,
): Promise<BoundedBody> {
  if (contentLength && Number(contentLength) > maxBytes) {
    await stream?.cancel().catch(() => undefined)
    return { ok: false, reason: 'too_large' }
  }
  if (!stream) return { ok: true, bytes: new Uint8Array(0) }
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      length += value.byteLength
      if (length > maxBytes) {
        await reader.cancel().catch(() => undefined)
        return { ok: false, reason: 'too_large' }
      }
      chunks.push(value)
    }
  } catch {
    return { ok: false, reason: 'unreadable' }
  }
  const bytes = new Uint8Array(length)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return { ok: true, bytes }
}
