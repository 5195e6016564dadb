import { createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'

// Your backend's endpoint answers POST with { token, expiresAt?, endpoint? } for the user
// named by its session cookie, 401 when there is none.
export const session = createSession({
  connector: httpConnector({
    url: '/api/sync-token',
    headers: () => ({ 'x-csrf-token': readCsrfToken() }),
  }),
})

declare function readCsrfToken(): string
