import { links } from './link-endpoints.js'

// Next.js App Router route handlers are Fetch API handlers: no adapter needed.

// app/api/link/[action]/route.ts — serves POST /api/link/challenge and POST /api/link/link
export const POST = (request: Request) => links.handle(request)
