// Lets Node's require() load the TypeScript sources (each file transpiled as it is required, types dropped, no
// type check), so a child process or a test app runs the code under test without a build. Required once; a second
// require is a no-op. Used by test/cosmos/child/ and test/apps/stubbed-orchestrations/.
const { readFileSync } = require('node:fs');
const ts = require('typescript');

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    module._compile(outputText, filename);
  };
}
