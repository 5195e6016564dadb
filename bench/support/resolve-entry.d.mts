export declare const ROOT: string
export declare const NODE_CONDITIONS: string[]
export declare const BROWSER_CONDITIONS: string[]
export declare function packageDir(name: string, fromDir: string): string
export interface ResolveOptions {
  conditions?: string[]
  via?: string[]
}
export declare function resolveEntry(
  specifier: string,
  from: string,
  options?: ResolveOptions,
): { file: string; version: string }
export declare function importFrom(
  specifier: string,
  from: string,
  options?: ResolveOptions,
): Promise<unknown>
