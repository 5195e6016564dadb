// @keyway/core/testing outside Vitest (Vitest is not installed here): the token minter and the
// fake clock load and work on their own.
import { decodeJwt } from '@keyway/core'
import { createTestPlatform, createTokenMinter } from '@keyway/core/testing'

const t = createTestPlatform()
const minter = await createTokenMinter({ now: () => t.clock.wallNow() })
const before = t.clock.now()
await t.clock.advance(60_000)
const { payload } = decodeJwt(await minter.mint({ sub: 'alice', lifetimeSec: 60 }))
console.log(`testing: minted a token for ${payload.sub}, fake clock +${t.clock.now() - before} ms`)
