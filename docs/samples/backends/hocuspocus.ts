import { HocuspocusProvider } from '@hocuspocus/provider'
import { createSession } from '@keyway/core'
import { hocuspocusAuth } from '@keyway/hocuspocus'
import { httpConnector } from '@keyway/http'
import * as Y from 'yjs'

// Any connector works; your Hocuspocus server verifies the token (see the server side below).
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

export const document = new Y.Doc()
export const provider = new HocuspocusProvider({
  url: 'wss://collab.example.com',
  name: 'notes/42',
  document,
})
// Right after creating the provider, before its socket opens.
export const detach = hocuspocusAuth(provider, session)
