// Files esbuild does not bundle, copied into dist/ under content-hashed names like its own
// (`<name>-<8 base32 chars>.<ext>`, which whitenoise caches forever): the editor's API index,
// built from the worker's TensorFlow by scripts/api_index.py, with gzip and brotli copies that
// whitenoise sends to a browser accepting them; the favicon. Used by build.mjs.
import { createHash } from "node:crypto";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function contentHash(bytes) {
  const digest = createHash("sha256").update(bytes).digest();
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 8) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 8) break;
  }
  return out;
}

async function readIfThere(file) {
  try {
    return await readFile(file);
  } catch (error) {
    if (error.code === "ENOENT") return null;
    throw error;
  }
}

async function writeCompressed(target, bytes) {
  await writeFile(`${target}.gz`, gzipSync(bytes, { level: 9 }));
  await writeFile(`${target}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}

/**
 * Copies each {name, source, compress, optional} into dist as name-HASH.ext (name itself with
 * `dev`); returns the manifest entries {name: file}. A missing optional source is left out, with
 * a warning: the page then works without it.
 */
export async function copyHashed(dist, files, { dev = false } = {}) {
  const manifest = {};
  for (const { name, source, compress = false, optional = false } of files) {
    const bytes = await readIfThere(source);
    if (bytes === null) {
      if (!optional) throw new Error(`${source} is missing`);
      console.warn(`${path.relative(process.cwd(), source)} is missing: ${name} left out (scripts/build_assets.py builds it)`);
      continue;
    }
    const ext = path.extname(name);
    const file = dev ? name : `${name.slice(0, -ext.length)}-${contentHash(bytes)}${ext}`;
    const target = path.join(dist, file);
    await copyFile(source, target);
    if (compress) await writeCompressed(target, bytes);
    manifest[name] = file;
  }
  return manifest;
}
