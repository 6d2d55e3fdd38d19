import RAPIER from '@dimforge/rapier3d-compat';

export type Rapier = typeof RAPIER;

let ready: Promise<Rapier> | undefined;

/**
 * Rapier's WebAssembly module, initialised once per process (or worker thread): `init()`
 * compiles the inlined module, which takes about 80 ms, and every world shares it.
 */
export function loadRapier(): Promise<Rapier> {
  ready ??= RAPIER.init().then(
    () => RAPIER,
    (error: unknown) => {
      ready = undefined;
      throw error;
    },
  );
  return ready;
}
