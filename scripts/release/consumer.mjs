// `pnpm test:consumer` (after `pnpm build`): the packed tarballs, installed with npm into fresh
// projects in a temp dir outside the workspace, as an app developer would get them from the
// registry. Each app must reach `authenticated` against a local token endpoint:
//
// - node-app: ESM (app.mjs), CommonJS require() (app.cjs), TypeScript `module: node16` in a
//   CommonJS package compiled by tsc (app.ts), and @keyway/core/testing without Vitest.
// - vite-app: Vite + React over @keyway/react and @keyway/browser, built, opened in Chromium.
//
// Both check that the install holds exactly one @keyway/core (the connectors peer on it). npm's
// own cache (~/.npm) is shared between runs, and installs prefer it over the registry.

import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { generateKeyPair, SignJWT } from 'jose'
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.mjs'
import { packAll, ROOT } from './packages.mjs'

const HERE = new URL('./consumer/', import.meta.url)
const USER = 'consumer-user'
const started = Date.now()
const seconds = (from) => `${((Date.now() - from) / 1000).toFixed(1)} s`
const results = []

/** Records one check; a failed one fails the run at the end, after the others have run. */
function check(name, ok, detail = '') {
  results.push({ name, ok })
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `  (${detail})` : ''}`)
}

/** Token endpoint (POST /api/token, ES256 JWT for USER) and static files from `dir`, if set. */
async function startServer() {
  const { privateKey } = await generateKeyPair('ES256')
  const site = { dir: null }
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }
  const server = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/api/token') {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject(USER)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }))
      return
    }
    try {
      const path = req.url === '/' ? '/index.html' : req.url.split('?')[0]
      const body = readFileSync(join(site.dir, path))
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' })
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, site, origin: `http://127.0.0.1:${server.address().port}` }
}

/** A fresh npm project in `dir` from the template `template`, with these dependencies. */
function npmProject(template, dir, dependencies, extra = {}) {
  cpSync(new URL(`${template}/`, HERE), dir, { recursive: true })
  const manifest = { name: `keyway-${template}`, private: true, ...extra, dependencies }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  const from = Date.now()
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  return seconds(from)
}

/** Every installed copy of @keyway/core under `dir`. */
function coreCopies(dir) {
  const found = []
  const walk = (nm) => {
    let names
    try {
      names = readdirSync(nm)
    } catch {
      return
    }
    for (const name of names) {
      if (name === '@keyway') {
        for (const sub of readdirSync(join(nm, name))) {
          if (sub === 'core') found.push(join(nm, name, sub))
          walk(join(nm, name, sub, 'node_modules'))
        }
      } else if (name.startsWith('@')) {
        for (const sub of readdirSync(join(nm, name))) walk(join(nm, name, sub, 'node_modules'))
      } else walk(join(nm, name, 'node_modules'))
    }
  }
  walk(join(dir, 'node_modules'))
  return found
}

/**
 * Runs a Node script in `dir`; passes when it prints `expected` and exits 0 within 30 s.
 * Asynchronous: the token endpoint answers from this very process.
 */
async function runNode(name, dir, args, env, expected) {
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env } })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const timer = setTimeout(() => child.kill(), 30_000)
  const code = await new Promise((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  out = out.trim()
  check(name, code === 0 && out.includes(expected), code === 0 ? out : `exit ${code}: ${out}`)
}

async function nodeApp(work, tarballs, origin) {
  const dir = join(work, 'node-app')
  const install = npmProject(
    'node-app',
    dir,
    {
      '@keyway/core': `file:${tarballs['@keyway/core']}`,
      '@keyway/http': `file:${tarballs['@keyway/http']}`,
    },
    { type: 'commonjs' },
  )
  console.log(`     node-app: npm install ${install}`)
  const copies = coreCopies(dir)
  check('node-app: one copy of @keyway/core', copies.length === 1, `${copies.length} found`)
  const env = { TOKEN_URL: `${origin}/api/token` }
  const expected = `authenticated as ${USER}`
  await runNode('node-app: ESM import', dir, ['app.mjs'], env, expected)
  await runNode('node-app: CommonJS require() (Node >= 20.19)', dir, ['app.cjs'], env, expected)
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir],
    { encoding: 'utf8' },
  )
  check('node-app: tsc, module node16, CommonJS package', tsc.status === 0, tsc.stdout.trim())
  if (tsc.status === 0)
    await runNode('node-app: the compiled TypeScript app', dir, ['out/app.js'], env, expected)
  await runNode(
    'node-app: @keyway/core/testing without Vitest',
    dir,
    ['testing.mjs'],
    {},
    'minted a token for alice',
  )
}

async function viteApp(work, tarballs, site, origin) {
  const dir = join(work, 'vite-app')
  const keyway = ['core', 'http', 'browser', 'react'].map((n) => [
    `@keyway/${n}`,
    `file:${tarballs[`@keyway/${n}`]}`,
  ])
  const install = npmProject(
    'vite-app',
    dir,
    {
      ...Object.fromEntries(keyway),
      react: '^19.2.0',
      'react-dom': '^19.2.0',
      vite: '^7.3.0',
    },
    { type: 'module' },
  )
  const copies = coreCopies(dir)
  check('vite-app: one copy of @keyway/core', copies.length === 1, `${copies.length} found`)
  const from = Date.now()
  const build = spawnSync(process.execPath, [join(dir, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: dir,
    encoding: 'utf8',
  })
  check(
    'vite-app: vite build',
    build.status === 0,
    build.status === 0 ? '' : `${build.stdout}${build.stderr}`,
  )
  console.log(`     vite-app: npm install ${install}, vite build ${seconds(from)}`)
  if (build.status !== 0) return
  site.dir = join(dir, 'dist')
  const { chromium } = createRequire(join(ROOT, 'test/package.json'))('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(origin)
    const status = page.locator('#status')
    let text = ''
    try {
      await status.filter({ hasText: 'authenticated as' }).waitFor({ timeout: 20_000 })
    } finally {
      text = (await status.textContent().catch(() => null)) ?? '(no #status)'
    }
    check(
      'vite-app: Chromium reaches authenticated',
      text === `authenticated as ${USER}`,
      [text, ...errors].join('; '),
    )
  } catch (e) {
    check('vite-app: Chromium reaches authenticated', false, e.message.split('\n')[0])
  } finally {
    await browser.close()
  }
}

const from = Date.now()
const tarballs = Object.fromEntries(
  packAll(join(ROOT, '.artifacts/tarballs')).map((p) => [p.name, p.tarball]),
)
console.log(`     packed ${Object.keys(tarballs).length} packages in ${seconds(from)}`)
const work = mkdtempSync(join(tmpdir(), 'keyway-consumer-'))
const { server, site, origin } = await startServer()
try {
  await nodeApp(work, tarballs, origin)
  await viteApp(work, tarballs, site, origin)
} finally {
  server.close()
  rmSync(work, { recursive: true, force: true })
}
const failed = results.filter((r) => !r.ok).length
console.log(
  `consumer test: ${results.length - failed} of ${results.length} checks passed in ${seconds(started)}`,
)
process.exitCode = failed === 0 ? 0 : 1
