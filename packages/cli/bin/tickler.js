#!/usr/bin/env node
// The `tickler` executable: runs the compiled CLI (packages/cli/dist, made by `pnpm build`) on plain
// Node, with no TypeScript compiler at run time. Same as `node packages/cli/dist/main.js <command>`.
'use strict';
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write(`tickler: ${path.relative(process.cwd(), main) || main} is missing; run \`pnpm build\` first.\n`);
  process.exit(1);
}
require(main).main();
