// Makes require('vscode') resolve to the stand-in, for code loaded after this call.
const Module = require('node:module');
const fake = require('./fakeVscode.cjs');
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') return fake;
  return originalLoad.call(this, request, parent, isMain);
};
module.exports = { fake };
