import { authFetch, createSession, isKeywayError } from '@keyway/core'
import { httpConnector } from '@keyway/http'

// 1. One session per signed-in app, created once (not inside a component).
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

// 2. React to state: 'initializing' → 'authenticated' | 'signedOut' | 'error'. The listener
//    runs on every snapshot change (a refresh is three), so print only when the status moves.
let shown = session.getSnapshot().status
session.subscribe(() => {
  const { status, userId, lastError } = session.getSnapshot()
  if (status === shown) return
  shown = status
  console.log(status, userId, lastError?.code)
})

// 3. Call your backend: the Bearer header is added, a 401 is retried once with a new token.
const api = authFetch(session)
export async function loadNotes(): Promise<unknown> {
  try {
    const res = await api('https://data.example.com/rest/v1/notes?select=*')
    return await res.json()
  } catch (e) {
    if (isKeywayError(e, 'ERR_SIGNED_OUT')) return [] // show the sign-in screen instead
    throw e
  }
}
