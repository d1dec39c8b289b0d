/**
 * Lets long synchronous work on a host's main thread (the extension host, a server) give the
 * event loop a turn every few milliseconds, so messages, I/O callbacks and other extensions'
 * work go on in between. Call the returned function between units of work and await it: it
 * yields only when `sliceMs` have passed since the last yield.
 */
export function eventLoopPacer(sliceMs = 8): () => Promise<void> | undefined {
  let sliceStart = performance.now();
  return () => {
    if (performance.now() - sliceStart < sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        sliceStart = performance.now();
        resolve();
      }),
    );
  };
}
