import { KeywayProvider } from '@keyway/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { session } from './keyway.js'

// The session is created once in keyway.ts (module scope), never inside a component:
// StrictMode renders and mounts twice, and the provider only passes the session down.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <KeywayProvider session={session}>
      <App />
    </KeywayProvider>
  </StrictMode>,
)
