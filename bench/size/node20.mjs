// size-limit 14 imports `glob` from node:fs/promises, which Node 20 lacks (the repo supports
// Node >= 20.19). Only its `path` globs use it, and .size-limit.mjs has none (every check is an
// `import`), so on Node 20 size-limit gets fs/promises plus a glob that says so if ever called.
// Used as `node --import ./bench/size/node20.mjs node_modules/size-limit/bin.js`.

import * as fsp from 'node:fs/promises'
import { register } from 'node:module'

if (!('glob' in fsp)) register('./node20-hooks.mjs', import.meta.url)
