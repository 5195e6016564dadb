/** Escapes text for innerHTML: claims come from a token, which the page must not trust. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** `12.3 s`, `4 min`, for durations in ms. */
export function duration(ms: number): string {
  const s = ms / 1000
  if (Math.abs(s) < 100) return `${s.toFixed(1)} s`
  return `${Math.round(s / 60)} min`
}

/** `14:03:27` in the local time zone. */
export function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour12: false })
}
