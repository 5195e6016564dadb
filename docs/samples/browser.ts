import { browserPlatform } from '@keyway/browser'
import { type Connector, createSession } from '@keyway/core'

declare const connector: Connector

const session = createSession({ connector, platform: browserPlatform() })

export { session }
