import { Shape, ShapeStream } from '@electric-sql/client'
import { createSession } from '@keyway/core'
import { electricAuth } from '@keyway/electric'
import { httpConnector } from '@keyway/http'

// Any provider's session; the http connector stands in here.
const session = createSession({ connector: httpConnector({ url: '/api/token' }) })

export const stream = new ShapeStream({
  // Your auth proxy in front of Electric: it verifies the token and adds the shape's filter.
  url: 'https://api.example.com/v1/shape',
  params: { table: 'items' },
  ...electricAuth(session, {
    onError: (error) => {
      // A 403, a 400, a sign-out: the stream stops unless you return retry options.
      console.warn(error.code, error.message)
    },
  }),
})

export const items = new Shape(stream)
