// Copies the front-end packages' built files from node_modules into src/safeguard/static/vendor/.
//
// No bundler: the packages ship ready-built files, and Django serves them as static files.
// The GOV.UK and MoJ stylesheets point at their fonts and images with root-absolute URLs
// (url(/assets/...)), which would miss Django's /static/ prefix; we rewrite those to URLs
// relative to the stylesheet and copy each package's assets beside its stylesheet.
//
// Run with `npm run build` after `npm install`. The output folder is git-ignored.

import { cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "src", "safeguard", "static", "vendor");
// Built beside the live folder and swapped in at the end, so a running server never sees it half-built.
const vendor = `${target}.new`;

// [source under node_modules, destination under vendor/]
const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend/govuk-frontend.min.js"],
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js.map", "govuk-frontend/govuk-frontend.min.js.map"],
  ["govuk-frontend/dist/govuk/assets", "govuk-frontend/assets"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.js", "moj-frontend/moj-frontend.min.js"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.js.map", "moj-frontend/moj-frontend.min.js.map"],
  ["@ministryofjustice/frontend/moj/assets", "moj-frontend/assets"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["chart.js/dist/chart.umd.js", "chart.js/chart.umd.js"],
  ["chart.js/dist/chart.umd.js.map", "chart.js/chart.umd.js.map"],
  ["cytoscape/dist/cytoscape.min.js", "cytoscape/cytoscape.min.js"],
  ["axe-core/axe.min.js", "axe-core/axe.min.js"],
];

// Stylesheets whose root-absolute asset URLs become relative to the stylesheet. GOV.UK Frontend
// is compiled from its Sass with our settings (scripts/govuk-frontend.scss) instead.
const stylesheets = [
  ["@ministryofjustice/frontend/moj/moj-frontend.min.css", "moj-frontend/moj-frontend.min.css"],
];


function relativiseAssetUrls(css) {
  const rewritten = css.replaceAll("url(/assets/", "url(assets/");
  if (rewritten.includes("url(/")) {
    throw new Error("a root-absolute url() is left in the stylesheet; extend the rewrite");
  }
  // The source map no longer matches the rewritten text, so do not point at it.
  return rewritten.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "");
}

async function copy(from, to) {
  await mkdir(dirname(to), { recursive: true });
  await cp(from, to, { recursive: true });
}

async function main() {
  await rm(vendor, { recursive: true, force: true });
  for (const [from, to] of copies) {
    await copy(join(modules, from), join(vendor, to));
  }
  for (const [from, to] of stylesheets) {
    const css = await readFile(join(modules, from), "utf8");
    await mkdir(dirname(join(vendor, to)), { recursive: true });
    await writeFile(join(vendor, to), relativiseAssetUrls(css));
  }
  const govuk = sass.compile(join(root, "scripts", "govuk-frontend.scss"), {
    loadPaths: [modules],
    style: "compressed",
    quietDeps: true,
    silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div", "if-function"],
  });
  await writeFile(join(vendor, "govuk-frontend", "govuk-frontend.min.css"), relativiseAssetUrls(govuk.css));
  await rm(target, { recursive: true, force: true });
  await rename(vendor, target);
  const versions = {};
  for (const name of Object.keys(JSON.parse(await readFile(join(root, "package.json"), "utf8")).dependencies)) {
    versions[name] = JSON.parse(await readFile(join(modules, name, "package.json"), "utf8")).version;
  }
  console.log(`Copied front-end files into ${target}:`, versions);
}

await main();
