/**
 * Parts of a panel's code loaded on demand, so heavy libraries (ECharts is 85% of the Runs
 * panel's code) stay out of the bundle that paints the panel first.
 *
 * A part is `webview/<panel>/<part>.part.ts`, built to `dist/webview/<panel>-<part>.js` beside
 * the panel's bundle (esbuild.mjs). It is a classic script that leaves its exports on `window`
 * under a name both sides agree on; it carries this page's nonce, the only scripts the panel's
 * CSP admits.
 */

// Read while the panel's own script runs: `document.currentScript` is null afterwards.
const panelScript = document.currentScript instanceof HTMLScriptElement ? document.currentScript : undefined;
const loads = new Map<string, Promise<unknown>>();

export function loadBundlePart<T>(part: string, globalName: string): Promise<T> {
  const pending = loads.get(part) ?? startLoad(part, globalName);
  loads.set(part, pending);
  return pending as Promise<T>;
}

function startLoad(part: string, globalName: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (!panelScript?.src) {
      reject(new Error(`The panel's ${part} could not be loaded: the page's script has no address`));
      return;
    }
    const src = panelScript.src.replace(/\.js(?=$|[?#])/, `-${part}.js`);
    if (src === panelScript.src) {
      reject(new Error(`The panel's ${part} could not be loaded: ${panelScript.src} does not name a .js bundle`));
      return;
    }
    const script = document.createElement('script');
    script.nonce = panelScript.nonce;
    script.src = src;
    script.addEventListener('load', () => {
      const exported = (window as unknown as Record<string, unknown>)[globalName];
      if (exported) resolve(exported);
      else reject(new Error(`${script.src} loaded but did not provide ${globalName}`));
    });
    script.addEventListener('error', () => {
      loads.delete(part); // a later draw may try again
      reject(new Error(`The panel's ${part} (${script.src}) could not be loaded`));
    });
    document.head.append(script);
  });
}
