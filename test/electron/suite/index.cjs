// Mocha entry point that VS Code's extension host loads (extensionTestsPath).
const { join } = require('node:path');
const { readdirSync } = require('node:fs');
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: true });
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.cjs'))) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
};
