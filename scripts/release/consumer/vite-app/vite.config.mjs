import { defineConfig } from 'vite'

// No React plugin: esbuild's automatic JSX runtime is all this app needs.
export default defineConfig({ esbuild: { jsx: 'automatic' }, logLevel: 'warn' })
