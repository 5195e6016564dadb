import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { exitsByItself, report } from './invariants.js'
import { type Issuer, startIssuer } from './issuer.js'
import { type ResourceServer, startResourceServer } from './resource-server.js'

// I6: a Node process that used a session exits by itself once its work is done, whether it
// calls dispose() or not (the session's timers must not hold the event loop).

const LIMIT_MS = 2_000

let issuer: Issuer
let resource: ResourceServer

beforeAll(async () => {
  issuer = await startIssuer()
  issuer.client('child', { lifetimeSec: 20 })
  resource = await startResourceServer(issuer.jwksUrl)
})
afterAll(async () => {
  await resource?.close()
  await issuer?.close()
})

/** Runs the child script; resolves how long it lived after printing `done`, or `undefined`. */
function timeExit(dispose: boolean): Promise<{ exitMs: number | undefined; output: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@keyway/source', '--import', 'tsx', 'child-session.ts'],
    {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: {
        ...process.env,
        ISSUER_URL: issuer.origin,
        RESOURCE_URL: resource.url,
        KEYWAY_DISPOSE: dispose ? '1' : '0',
      },
    },
  )
  let output = ''
  let doneAt: number | undefined
  child.stdout.on('data', (chunk) => {
    output += chunk
    if (doneAt === undefined && output.includes('done')) doneAt = Date.now()
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS * 5 + 10_000)
    child.on('exit', (code) => {
      clearTimeout(kill)
      const exited = code === 0 && doneAt !== undefined
      resolve({ exitMs: exited ? Date.now() - doneAt! : undefined, output })
    })
  })
}

it('a Node process exits by itself once its work is done, with and without dispose()', async () => {
  const [disposed, kept] = await Promise.all([timeExit(true), timeExit(false)])
  expect(disposed.output).toContain('done 200')
  expect(kept.output).toContain('done 200')
  const failed = report('process exit', [
    exitsByItself('dispose()', disposed.exitMs, LIMIT_MS),
    exitsByItself('no dispose', kept.exitMs, LIMIT_MS),
  ])
  expect(failed.map((c) => `${c.id} ${c.session}: ${c.what} — ${c.figure}`)).toEqual([])
}, 60_000)
