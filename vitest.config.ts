import { existsSync, readdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defaultServerConditions } from 'vite'
import { configDefaults, defineConfig } from 'vitest/config'

// Tests import workspace packages from source through the `@keyway/source` export condition,
// so nothing needs a build before `pnpm test`.
const SOURCE = '@keyway/source'

const REACT_18 = fileURLToPath(new URL('test/react18/node_modules', import.meta.url))

/**
 * The Node 22 and Node 24 reruns in CI (`VITEST_PHASE=node22`, `node24`, .ci/run) leave out the
 * suites that test keyway's timing or the browser, not the runtime: the sync-engine soaks, the
 * fleet, the fault-injection and fuzz suites, the package soaks and the Chromium tests. Their
 * Node 20 run is the one that counts. It is set here, per project, because a project's own
 * `exclude` replaces the CLI's `--exclude`.
 */
const RERUN = /^node\d+$/.test(process.env.VITEST_PHASE ?? '')
const exclude = (...own: string[]) => [
  ...configDefaults.exclude,
  ...own,
  ...(RERUN
    ? [
        '**/engines/**',
        '**/fleet/**',
        '**/chaos/**',
        '**/fuzz/**',
        '**/*-soak.test.ts',
        '**/*.chromium.test.ts',
      ]
    : []),
]

const packages = readdirSync('packages').filter((name) =>
  existsSync(`packages/${name}/package.json`),
)

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  test: {
    // In CI a JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: process.env.CI
      ? [
          'default',
          ['json', { outputFile: `.artifacts/vitest-${process.env.VITEST_PHASE ?? 'main'}.json` }],
        ]
      : ['default'],
    // Real servers (Firebase emulator, oidc-provider) start in beforeAll; give them room on 2 cores.
    hookTimeout: 60_000,
    testTimeout: 20_000,
    // At least two files at a time. Vitest's default (one per core but one) is a single worker
    // on a 2-core CI machine, and most of the slow files wait on real time (soaks, servers,
    // emulators) rather than compute: one at a time, phase 1 took 630 s on a loaded 2-core
    // machine, two at a time 370 s. Timing checks (gaps under 1 s) pass either way.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      ...packages.map((name) =>
        existsSync(`packages/${name}/vitest.config.ts`)
          ? `packages/${name}/vitest.config.ts`
          : {
              extends: true as const,
              test: {
                name,
                root: `packages/${name}`,
                include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
                exclude: exclude(),
              },
            },
      ),
      {
        // @keyway/react's own tests once more, on React 18 (its peer range is ^18.2 || ^19):
        // react, react-dom and @testing-library/react come from test/react18, installed there as
        // a React 18 app installs them, so every copy of React in the run is 18.
        extends: true as const,
        resolve: {
          alias: [
            { find: /^(react|react-dom)(\/.*)?$/, replacement: `${REACT_18}/$1$2` },
            {
              find: /^@testing-library\/react$/,
              replacement: `${REACT_18}/@testing-library/react`,
            },
          ],
        },
        test: {
          name: 'react18',
          root: 'packages/react',
          include: ['src/**/*.test.tsx'],
          env: { KEYWAY_REACT_MAJOR: '18' },
        },
      },
      {
        extends: true as const,
        test: {
          name: 'integration',
          root: 'test',
          include: ['**/*.test.{ts,tsx}'],
          exclude: exclude('browser/**', 'chaos-real/**'),
        },
      },
      // The wall-clock chaos suite (issue 11): real timers and loopback HTTP, about two and a
      // half minutes at CHAOS_SCALE=1; `pnpm chaos:real` runs it longer. Its figures are timings,
      // so it runs in a phase of its own (VITEST_PHASE=chaos-real), not beside the other suites.
      ...(process.env.VITEST_PHASE === 'chaos-real'
        ? [
            {
              extends: true as const,
              test: {
                name: 'chaos-real',
                root: 'test/chaos-real',
                include: ['*.test.ts'],
                testTimeout: 300_000,
              },
            },
          ]
        : []),
      {
        // Real Chromium: one file at a time, so tabs and timings do not compete for 2 cores.
        extends: true as const,
        test: {
          name: 'chromium',
          root: 'test/browser',
          include: ['*.browser.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
        },
      },
      {
        extends: true as const,
        test: { name: 'examples', root: 'examples', include: ['*/test/**/*.test.{ts,tsx}'] },
      },
    ],
  },
})
