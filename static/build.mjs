// Bundles the front end with esbuild: src/base/entry.js and every src/entries/<name>.js become
// dist/<name>-<HASH>.js (+ .css), plus the classic scripts (the graph layout worker, the theme set
// before the first paint); dist/assets-manifest.json maps logical names ("play.js", "play.css",
// "layout-worker.js", "theme-init.js") to the hashed files. Run: node static/build.mjs
// Flags: --dev (readable output with source maps, unhashed names), --watch (implies --dev).
import * as esbuild from "esbuild";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { copyHashed } from "./hashed-files.mjs";
import { emacsBindings } from "./bundle-fixes.mjs";

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(ROOT, "src");
const DIST = path.join(ROOT, "dist");
const MANIFEST = "assets-manifest.json";
const WORKER_SOURCE = path.join(SRC, "workspace", "graph", "layout-worker.js");
// Not modules: the worker is started by URL, and base.html loads theme-init.js as a blocking
// <script> in <head> (module scripts run only after the page is parsed).
const CLASSIC = { "layout-worker": WORKER_SOURCE, "theme-init": path.join(SRC, "base", "theme-init.js") };
// Copied with a content hash, not bundled: the editor's API index (scripts/build_assets.py writes
// it from the worker's TensorFlow; the editor fetches it when first needed) and the favicon.
const HASHED = [
  { name: "api-index.json", source: path.join(ROOT, "..", ".cache", "api-index.json"), compress: true, optional: true },
  { name: "favicon.svg", source: path.join(SRC, "base", "favicon.svg") },
];

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

function classicOptions() {
  return { ...shared, entryPoints: CLASSIC, format: "iife", splitting: false };
}

function pageOptions(entries, workerFile, hashed = {}) {
  return {
    ...shared,
    entryPoints: entries,
    format: "esm",
    splitting: true,
    plugins: [emacsBindings],
    // The workspace resolves the worker next to its own chunk, so every output stays in dist/.
    define: { __LAYOUT_WORKER__: JSON.stringify(workerFile), __API_INDEX__: JSON.stringify(hashed["api-index.json"] ?? null) },
  };
}

async function writeManifest(manifest) {
  await writeFile(path.join(DIST, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
}

async function buildOnce() {
  const started = performance.now();
  await rm(DIST, { recursive: true, force: true });
  await mkdir(DIST, { recursive: true });
  const hashed = await copyHashed(DIST, HASHED);
  const classic = await esbuild.build(classicOptions());
  const classicManifest = manifestFrom(classic.metafile, CLASSIC);
  const entries = await entryPoints();
  const pages = await esbuild.build(pageOptions(entries, classicManifest["layout-worker.js"], hashed));
  const manifest = { ...hashed, ...classicManifest, ...manifestFrom(pages.metafile, entries) };
  await writeManifest(manifest);
  const ms = Math.round(performance.now() - started);
  console.log(`built ${Object.keys(entries).length} entries (${Object.keys(entries).join(", ")}) + ${Object.keys(CLASSIC).join(", ")} into ${path.relative(process.cwd(), DIST) || "."} in ${ms} ms`);
}

async function watchForever() {
  await mkdir(DIST, { recursive: true });
  const entries = await entryPoints();
  const hashed = await copyHashed(DIST, HASHED, { dev: true });
  const manifest = { ...hashed, "layout-worker.js": "layout-worker.js", "theme-init.js": "theme-init.js" };
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
  const classicCtx = await esbuild.context({ ...classicOptions(), plugins: [record(CLASSIC)] });
  const pageCtx = await esbuild.context({ ...pageOptions(entries, "layout-worker.js", hashed), plugins: [emacsBindings, record(entries)] });
  await Promise.all([classicCtx.watch(), pageCtx.watch()]);
  console.log("watching static/src (new entry files need a restart)");
}

if (watch) await watchForever();
else await buildOnce();
