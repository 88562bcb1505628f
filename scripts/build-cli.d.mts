// Types for scripts/build-cli.mjs.
export const NATIVE_EXTERNALS: string[];
export const BUNDLES: { name: string; outfile: string; entry?: string; contents?: string }[];
export function buildBundles(opts?: { projectRoot?: string; outRoot?: string }): Promise<string[]>;
