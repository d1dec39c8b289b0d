// esbuild bundles .css files as text (loader "text" in esbuild.mjs); the view injects them.
declare module '*.css' {
  const text: string;
  // eslint-disable-next-line no-restricted-syntax -- the shape esbuild's text loader produces
  export default text;
}
