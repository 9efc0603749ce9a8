// ESM resolve hook: `electron` → ./index.mjs; everything else resolves normally.
const STUB = new URL('./index.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: STUB, shortCircuit: true, format: 'module' };
  return next(specifier, context);
}
