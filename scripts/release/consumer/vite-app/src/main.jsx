// A Vite + React app over the published @keyway/react and @keyway/browser: renders the
// session's status; the consumer test waits for "authenticated".
import { browserPlatform } from '@keyway/browser'
import { createSession } from '@keyway/core'
import { httpConnector } from '@keyway/http'
import { KeywayProvider, useAuthState } from '@keyway/react'
import { createRoot } from 'react-dom/client'

const session = createSession({
  connector: httpConnector({ url: '/api/token' }),
  platform: browserPlatform(),
})

function Status() {
  const { status, userId } = useAuthState()
  return <p id="status">{status === 'authenticated' ? `authenticated as ${userId}` : status}</p>
}

createRoot(document.getElementById('root')).render(
  <KeywayProvider session={session}>
    <Status />
  </KeywayProvider>,
)
