/**
 * dist/cli.js, the `mlops` executable. `mlops --version` answers before the CLI bundle
 * (dist/cliMain.js, ~1.8 MB of JavaScript to parse) is loaded; every other command loads it.
 * Scripts and CI call `mlops --version` to probe the tool, so it should cost a bare Node start.
 */
import { join } from 'node:path';
import { PRODUCT_VERSION } from '../core/product/productInfo';
import type * as CliMain from './main';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${PRODUCT_VERSION}\n`);
} else {
  // a path computed at run time: esbuild leaves this require alone, so the CLI stays a bundle of its own
  const main = join(__dirname, 'cliMain.js');
  const { runCli } = require(main) as typeof CliMain;
  runCli(args).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`mlops: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
