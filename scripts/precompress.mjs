// Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside each text and wasm
// file of the built SPA, once per build, so that the server sends them as they are (tower-http's
// ServeDir picks the copy the browser accepts) and compresses nothing per request.
// Usage: node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "dist";
const kinds = /\.(wasm|js|css|html|svg|json|txt)$/;
let before = 0, br = 0, gz = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!kinds.test(name) || !statSync(path).isFile()) continue;
  const data = readFileSync(path);
  const b = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const g = gzipSync(data, { level: 9 });
  writeFileSync(path + ".br", b);
  writeFileSync(path + ".gz", g);
  before += data.length; br += b.length; gz += g.length;
  console.error(`    ${name.padEnd(48)} ${String(data.length).padStart(8)} → br ${String(b.length).padStart(7)}, gz ${String(g.length).padStart(7)}`);
}
console.error(`    SPA on the wire: ${before} bytes as built, ${br} with brotli, ${gz} with gzip`);
