// readability_bench.mjs: Mozilla Readability (the engine of Firefox's reader view) on the
// same pages, in one Node process, best of 3 passes: jsdom parses each page, Readability
// extracts it. Prints pages/s and MB/s. Run by bench/extract with the packages it installs.
// Usage: node readability_bench.mjs PAGE.html.gz...
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { JSDOM, VirtualConsole } from "jsdom";
import { Readability } from "@mozilla/readability";

const files = process.argv.slice(2);
const pages = files.map((f) => {
  const raw = readFileSync(f);
  return f.endsWith(".gz") ? gunzipSync(raw) : raw;
});
const mb = pages.reduce((sum, p) => sum + p.length, 0) / 1e6;
const quiet = new VirtualConsole(); // pages' CSS and script errors are not ours to print
let best = Infinity;
let extracted = 0;
for (let pass = 0; pass < 3; pass++) {
  const start = process.hrtime.bigint();
  extracted = 0;
  for (const page of pages) {
    const dom = new JSDOM(page, { url: "https://example.com/article", virtualConsole: quiet });
    const article = new Readability(dom.window.document).parse();
    if (article && article.textContent) extracted++;
    dom.window.close();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  best = Math.min(best, seconds);
}
console.log(`readability pages/s ${(pages.length / best).toFixed(1)} MB/s ${(mb / best).toFixed(1)} extracted ${extracted}`);
console.log(`readability peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
