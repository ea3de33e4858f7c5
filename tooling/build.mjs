#!/usr/bin/env node
/**
 * `build` of one package (run from the package folder by `pnpm build` / turbo): compiles src/**.ts,
 * tests excluded, to CommonJS in dist/, one file per source file (dist/ mirrors src/, so paths
 * relative to __dirname, like the db package's migrations folder, hold from both), with source maps.
 *
 * It transpiles with swc, the same transform jest runs the tests through, so the shipped code is
 * the tested code; it does not type-check (`pnpm typecheck` / `turbo run typecheck` does, with tsc).
 * Other packages are not bundled: at run time `require('@tickler/x')` loads x's dist/ through the
 * `default` entry of its exports map (tsx and jest use the `development` entry, the TS sources).
 */
import fs from 'node:fs';
import path from 'node:path';
import { transformFileSync } from '@swc/core';

const pkgDir = process.cwd();
const srcDir = path.join(pkgDir, 'src');
const outDir = path.join(pkgDir, 'dist');
const started = process.hrtime.bigint();

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

// A stale dist/ (a renamed or deleted source) must not keep shipping old modules.
fs.rmSync(outDir, { recursive: true, force: true });

const files = sources(srcDir);
for (const file of files) {
  const rel = path.relative(srcDir, file);
  const outFile = path.join(outDir, rel.replace(/\.ts$/, '.js'));
  const mapFile = `${outFile}.map`;
  const { code, map } = transformFileSync(file, {
    swcrc: false,
    configFile: false,
    sourceMaps: true,
    // Paths in the map are relative to the map's folder, so dist/ can be moved with src/ beside it.
    sourceFileName: path.relative(path.dirname(outFile), file),
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${code}\n//# sourceMappingURL=${path.basename(mapFile)}\n`);
  fs.writeFileSync(mapFile, map);
}

const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`${path.basename(pkgDir)}: ${files.length} files → dist/ in ${ms.toFixed(0)} ms`);
