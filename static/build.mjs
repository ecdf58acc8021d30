// Bundles the front end with esbuild: src/base/entry.js and every src/entries/<name>.js become
// dist/<name>-<HASH>.js (+ .css), plus the graph layout worker; dist/assets-manifest.json maps logical names
// ("play.js", "play.css", "layout-worker.js") to the hashed files. Run: node static/build.mjs
// Flags: --dev (readable output with source maps, unhashed names), --watch (implies --dev).
import * as esbuild from "esbuild";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(ROOT, "src");
const DIST = path.join(ROOT, "dist");
const MANIFEST = "assets-manifest.json";
const WORKER_SOURCE = path.join(SRC, "workspace", "graph", "layout-worker.js");

const watch = process.argv.includes("--watch");
const dev = watch || process.argv.includes("--dev");

// Hashed names are what let whitenoise serve the files with a far-future cache lifetime.
const names = dev
  ? { entryNames: "[name]", chunkNames: "chunk-[name]", assetNames: "asset-[name]" }
  : { entryNames: "[name]-[hash]", chunkNames: "chunk-[hash]", assetNames: "asset-[name]-[hash]" };

const shared = {
  bundle: true,
  minify: !dev,
  sourcemap: dev ? "linked" : false,
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  outdir: DIST,
  metafile: true,
  logLevel: "warning",
  legalComments: dev ? "inline" : "linked",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".svg": "file", ".png": "file" },
  ...names,
};

// Every page loads "base" (theme CSS, header controls) through templates/base.html, then its
// own entry from src/entries/.
async function entryPoints() {
  const dir = path.join(SRC, "entries");
  const files = (await readdir(dir)).filter((name) => name.endsWith(".js")).sort();
  const pages = Object.fromEntries(files.map((name) => [name.slice(0, -3), path.join(dir, name)]));
  return { base: path.join(SRC, "base", "entry.js"), ...pages };
}

// Logical name -> file name inside dist, read from esbuild's metafile.
function manifestFrom(metafile, entries) {
  const byPath = new Map(Object.entries(entries).map(([name, file]) => [path.relative(process.cwd(), file), name]));
  const manifest = {};
  for (const [out, info] of Object.entries(metafile.outputs)) {
    if (!info.entryPoint) continue;
    const name = byPath.get(info.entryPoint) ?? byPath.get(path.normalize(info.entryPoint));
    if (!name) continue;
    manifest[`${name}.js`] = path.basename(out);
    if (info.cssBundle) manifest[`${name}.css`] = path.basename(info.cssBundle);
  }
  return manifest;
}

function workerOptions() {
  return { ...shared, entryPoints: { "layout-worker": WORKER_SOURCE }, format: "iife", splitting: false };
}

function pageOptions(entries, workerFile) {
  return {
    ...shared,
    entryPoints: entries,
    format: "esm",
    splitting: true,
    // The workspace resolves the worker next to its own chunk, so every output stays in dist/.
    define: { __LAYOUT_WORKER__: JSON.stringify(workerFile) },
  };
}

async function writeManifest(manifest) {
  await writeFile(path.join(DIST, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
}

async function buildOnce() {
  const started = performance.now();
  await rm(DIST, { recursive: true, force: true });
  await mkdir(DIST, { recursive: true });
  const workerEntry = { "layout-worker": WORKER_SOURCE };
  const worker = await esbuild.build(workerOptions());
  const workerManifest = manifestFrom(worker.metafile, workerEntry);
  const entries = await entryPoints();
  const pages = await esbuild.build(pageOptions(entries, workerManifest["layout-worker.js"]));
  const manifest = { ...workerManifest, ...manifestFrom(pages.metafile, entries) };
  await writeManifest(manifest);
  const ms = Math.round(performance.now() - started);
  console.log(`built ${Object.keys(entries).length} entries (${Object.keys(entries).join(", ")}) + layout worker into ${path.relative(process.cwd(), DIST) || "."} in ${ms} ms`);
}

async function watchForever() {
  await mkdir(DIST, { recursive: true });
  const entries = await entryPoints();
  const workerEntry = { "layout-worker": WORKER_SOURCE };
  const manifest = { "layout-worker.js": "layout-worker.js" };
  const record = (entriesOf) => ({
    name: "manifest",
    setup(build) {
      build.onEnd(async (result) => {
        if (!result.metafile) return;
        Object.assign(manifest, manifestFrom(result.metafile, entriesOf));
        await writeManifest(manifest);
        console.log(`rebuilt (${result.errors.length} errors)`);
      });
    },
  });
  const workerCtx = await esbuild.context({ ...workerOptions(), plugins: [record(workerEntry)] });
  const pageCtx = await esbuild.context({ ...pageOptions(entries, "layout-worker.js"), plugins: [record(entries)] });
  await Promise.all([workerCtx.watch(), pageCtx.watch()]);
  console.log("watching static/src (new entry files need a restart)");
}

if (watch) await watchForever();
else await buildOnce();
