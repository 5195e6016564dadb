import { browserPlatform } from '@keyway/browser'
import { type Connector, createSession } from '@keyway/core'
import { devtoolsPlatform } from '@keyway/devtools'
import { KeywayDevtools } from '@keyway/devtools/react'
import { KeywayProvider } from '@keyway/react'
import type { ReactNode } from 'react'

declare const connector: Connector

// Module scope, like the session: a new `sessions` array would remount the panel.
const debug = devtoolsPlatform(browserPlatform())
const session = createSession({ connector, platform: debug.platform })
const sessions = [{ session, controls: debug }]

export function Root({ children }: { children: ReactNode }) {
  return (
    <KeywayProvider session={session}>
      {children}
      <KeywayDevtools sessions={sessions} />
    </KeywayProvider>
  )
}
