// The app of the server-rendered page: rendered to a string in Node, then hydrated in Chromium.
// Every render reports what it showed, so the test sees the client's first render.

import { useAuthState, useToken } from '@keyway/react'

/** What one render of the app showed: `status|user|token or no-token`. */
export function authLine(status: string, userId: string | null, token: string | null): string {
  return `${status}|${userId ?? 'nobody'}|${token ? 'token' : 'no-token'}`
}

export function App({ onRender }: { onRender?: (line: string) => void }) {
  const { status, userId } = useAuthState()
  const token = useToken()
  const line = authLine(status, userId, token)
  onRender?.(line)
  return <p id="auth">{line}</p>
}
