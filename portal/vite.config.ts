/**
 * The portal's build: React + Fluent UI, bundled by Vite into dist/portal, which the function app serves at
 * /api/portal/. Two pages: index.html (the app) and redirect.html (MSAL's redirect bridge: sign-in answers land there
 * and are handed to the app). Every text asset is also written precompressed (.br, .gz) so the function answers
 * without compressing on each request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const OUT_DIR = path.resolve(__dirname, '../dist/portal');

function precompress(): Plugin {
  return {
    name: 'pimflow-precompress',
    apply: 'build',
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(?:js|css|html|svg|json)$/.test(name)) continue;
        const file = path.join(OUT_DIR, name);
        const content = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

export default defineConfig({
  root: __dirname,
  base: '/api/portal/',
  logLevel: 'warn',
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: process.env.PORTAL_SOURCEMAP === '1',
    reportCompressedSize: false,
    rollupOptions: {
      // Fluent UI marks its modules 'use client' (for React Server Components); meaningless in a bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: {
        index: path.resolve(__dirname, 'index.html'),
        redirect: path.resolve(__dirname, 'redirect.html'),
      },
    },
  },
  plugins: [precompress()],
});
