// Module resolution hook: `electron` → the stand-in beside this file (node --import ./register.mjs).
const standin = new URL('./electron.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: standin, shortCircuit: true };
  return next(specifier, context);
}
