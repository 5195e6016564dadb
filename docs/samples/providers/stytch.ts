import { authFetch, createSession } from '@keyway/core'
import { stytchConnector } from '@keyway/stytch'
import { createStytchClient } from '@stytch/vanilla-js'

const stytch = createStytchClient('public-token-live-…')
export const session = createSession({ connector: stytchConnector(stytch) })
export const api = authFetch(session)

// Sign in with Stytch as usual: session.onChange tells the session, which takes the JWT.
export const signIn = (email: string, password: string) =>
  stytch.passwords.authenticate({ email, password, session_duration_minutes: 60 * 24 })
