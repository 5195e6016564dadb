import { createServer } from 'node:http'
import { toNodeHandler } from '@keyway/server'
import { notes } from './data-api.js'
import { links } from './link-endpoints.js'

// node:http, or Express: `app.use('/link', toNodeHandler((request) => links.handle(request)))`.
const handle = toNodeHandler((request) => {
  const { pathname } = new URL(request.url)
  if (pathname.startsWith('/link/')) return links.handle(request)
  if (pathname === '/notes') return notes(request)
  return new Response('not found', { status: 404 })
})

createServer(handle).listen(3000, '127.0.0.1')
