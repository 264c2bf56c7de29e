// The browser demo in Debian's Chromium, driven headless by playwright-core.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const WWW = path.join(__dirname, "..", "www");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

function serve() {
  const server = http.createServer((req, res) => {
    const file = path.join(WWW, decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/\/$/, "/index.html"));
    if (!file.startsWith(WWW) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("the demo scores the sample, follows the as-of date and shows errors", async () => {
  const { chromium } = require("playwright-core");
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
    const plan = JSON.parse(fs.readFileSync(path.join(WWW, "acme.json"), "utf8"));
    const nodes = plan.objectives.reduce((n, o) => n + 1 + (o.key_results || []).length, 0);
    const ids = await page.$$eval("[data-node-id]", (rows) => rows.map((r) => r.getAttribute("data-node-id")));
    assert.ok(ids.length >= nodes, `${ids.length} rows for ${nodes} nodes`);
    assert.equal(new Set(ids).size, nodes);
    const cell = async () => page.$eval('[data-node-id="kr-launch"] td:nth-child(2)', (td) => td.textContent);
    assert.equal(await cell(), "0.50");
    // The alignment chart carries every node too.
    const charted = await page.$$eval("#chart svg [data-node-id]", (gs) => new Set(gs.map((g) => g.getAttribute("data-node-id"))).size);
    assert.equal(charted, nodes);
    // The burn-up of the selected key result, and of another one after a click.
    assert.ok((await page.$$("#burnup svg .check-in")).length > 0);
    await page.click('[data-node-id="rep-3-logos"] td');
    await page.waitForFunction(() => document.querySelector("#burnup-id").textContent === "rep-3-logos");
    assert.equal((await page.$$("#burnup svg .check-in")).length, 6);
    assert.equal((await page.$$("#burnup svg .forecast")).length, 1);
    await page.screenshot({ path: path.join(require("node:os").tmpdir(), "okr-demo.png"), fullPage: false });
    // Time travel: before the first milestone, the launch key result is at 0.
    await page.fill("#as-of", "2026-01-10");
    await page.dispatchEvent("#as-of", "change");
    await page.waitForFunction(() => document.querySelector('[data-node-id="kr-launch"] td:nth-child(2)').textContent === "0.00");
    assert.match(await page.textContent("#summary"), /as of 2026-01-10/);
    // A pasted plan with a typo shows the error in the page; the module keeps working.
    await page.click("#plan-summary");
    await page.fill("#plan-text", '{"objectives": [{"id": "o", "tilte": "x"}]}');
    await page.click("#score-text");
    await page.waitForSelector("#error:not([hidden])");
    assert.match(await page.textContent("#error"), /malformed: .*tilte/);
    await page.fill("#plan-text", '{"objectives": [{"id": "solo", "key_results": [{"id": "k", "kind": "binary", "current": 1}]}]}');
    await page.click("#score-text");
    await page.waitForSelector('#tree [data-node-id="solo"]');
    assert.equal(await page.isHidden("#error"), true);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
