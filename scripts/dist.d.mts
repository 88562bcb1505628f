// Types for scripts/dist.mjs.
export function keepingFile<T>(file: string, fn: () => T | Promise<T>): Promise<T>;
