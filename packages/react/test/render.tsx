// The tests render with @testing-library/react (render, renderHook, act, cleanup), in
// happy-dom; this module is the one place they import it from.
export { act, cleanup, render, renderHook } from '@testing-library/react'
