// @vitest-environment node
import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { version as serverVersion } from 'react-dom/server'
import { describe, expect, it } from 'vitest'

// These tests run twice: in the `react` project on React 19 and in `react18` on React 18
// (vitest.config.ts). This one proves each run is on the React it names, and on one copy.
describe('the React under test', () => {
  it('is the major version the project names, with react-dom to match', () => {
    const major = process.env.KEYWAY_REACT_MAJOR ?? '19'
    expect(version.split('.')[0]).toBe(major)
    expect(domVersion).toBe(version)
    expect(serverVersion).toBe(version)
  })
})
