// `/production`: this demo shows the panel in its production build too. An app imports
// `@keyway/devtools`, which a production build resolves to a no-op.
import { mountKeywayDevtools } from '@keyway/devtools/production'
import { KeywayProvider } from '@keyway/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { debug, session } from './keyway.js'

// The session is created once in keyway.ts (module scope), never inside a component:
// StrictMode renders and mounts twice, and the provider only passes the session down.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <KeywayProvider session={session}>
      <App />
    </KeywayProvider>
  </StrictMode>,
)

// Mounted once, beside React, before the session's first fetch, so the timeline has it all.
mountKeywayDevtools({
  sessions: [{ session, name: 'demo', controls: debug }],
  target: document.getElementById('devtools')!,
  windowMs: 90_000,
})
