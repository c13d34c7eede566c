// Browser test of the console against a running pipeline (./fmnist up -d; run.sh starts one).
// Debian's chromium driven by playwright-core. Checks, through the page only (plus the inference
// API to confirm what a pin does): 10 curve points after 10 epochs, a drawn and an uploaded image
// each classified, a confusion matrix summing to 10,000, a pin through the UI changing what
// /api/v1/classify answers, a model swap (a 1-more-epoch run started from the UI) shown without a
// reload; every control labelled; no request leaves this machine. With several models (MODELS, e.g.
// softmax,cnn as run.sh starts them): each model's own panels through the model selector, and their
// comparison (test-accuracy curves on one chart, confusion matrices side by side, where they disagree).
// Last, drift: DRIFT_IMAGES (1,200) test images inverted (255 - pixel: dark on light, the photo mistake) sent as
// raw bytes to inference without invert=true; inference's drift detector raises a drift alert on fmnist.alerts
// within the first 1,000, and the page shows the drift banner and the alert in its list.
// Screenshots in screenshots/.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const assert = require('assert');
const { chromium } = require('playwright-core');

const CONSOLE = process.env.CONSOLE_URL || 'http://localhost:20083/';
const INFERENCE = process.env.INFERENCE_URL || 'http://localhost:20080';
const EPOCHS = Number(process.env.EPOCHS || 10);
const TEST_IMAGES = Number(process.env.TEST_IMAGES || 10000);
const TOKEN_FILE = process.env.TOKEN_FILE || '';
const SHOTS = process.env.SCREENSHOT_DIR || path.join(__dirname, 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MINUTE = 60_000;
const DRIFT_IMAGES = Number(process.env.DRIFT_IMAGES || 1200);
// where ./fmnist up takes Fashion-MNIST from (README: FMNIST_DATA_DIR, Debian's package, ingest's download cache)
const DATA_DIRS = [process.env.FMNIST_DATA_DIR, '/usr/share/datasets/fashion-mnist',
  path.join(os.homedir(), '.cache', 'fmnist')].filter(Boolean);
// the families ./fmnist up --model was given, as model names; the first is the default route and shown first
const MODELS = (process.env.MODELS || 'softmax').split(',').map((m) => 'fmnist-' + m.trim().replace(/^fmnist-/, ''));

function log(...a) { console.log('[e2e]', ...a); }

async function classifyDirect() {
  // 784 bytes of a plain image straight to the inference service: which version answers?
  const r = await fetch(INFERENCE + '/api/v1/classify', {
    method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(784).fill(40),
  });
  assert.strictEqual(r.status, 200, 'inference classify answers');
  return (await r.json()).modelVersion;
}

/** Several models: the selector switches the panels, and the comparison covers every model on the whole test split. */
async function compareModels(page) {
  assert.ok(await page.locator('#models').isVisible(), 'the model selector is shown');
  const options = await page.$$eval('#model-select option', (os) => os.map((o) => o.value));
  assert.deepStrictEqual(options, MODELS, 'every model, in the configured order');
  assert.strictEqual(await page.inputValue('#model-select'), MODELS[0], 'the default route is shown first');

  // test accuracy of every model on one chart, every epoch of each
  await page.waitForSelector(`#compare-curves[data-models="${MODELS.length}"]`, { timeout: 15 * MINUTE });
  for (const m of MODELS) {
    await page.waitForFunction(([name, n]) => document.querySelectorAll(`#compare-curves circle[data-model="${name}"]`).length >= n,
      [m, EPOCHS], { timeout: 15 * MINUTE });
  }
  // confusion matrices side by side, each over the whole test split, and where the models disagree
  await page.waitForFunction((n) => document.querySelectorAll('#compare-confusion table').length === n
    && document.getElementById('disagree-summary').dataset.disagree !== '', MODELS.length, { timeout: 5 * MINUTE });
  const sums = await page.$$eval('#compare-confusion table', (ts) => ts.map((t) => [t.dataset.model,
    [...t.querySelectorAll('tbody td')].reduce((a, td) => a + Number(td.textContent), 0)]));
  assert.deepStrictEqual(sums, MODELS.map((m) => [m, TEST_IMAGES]), 'each confusion matrix sums to the test split');
  const disagree = Number(await page.getAttribute('#disagree-summary', 'data-disagree'));
  assert.ok(disagree > 0 && disagree < TEST_IMAGES, `models disagree on some images, not all (${disagree})`);
  assert.strictEqual(await page.locator('#disagree-pairs tr').count(), MODELS.length * (MODELS.length - 1) / 2, 'a row per pair');
  assert.strictEqual(await page.locator('#disagree-examples li').count(), Math.min(12, disagree), 'examples shown');
  log(`comparison: ${MODELS.join(', ')} disagree on ${disagree} of ${TEST_IMAGES} test images`);
  await page.locator('#compare').screenshot({ path: path.join(SHOTS, 'compare.png') });

  // the panels follow the selector: another model's curve, served version and quality
  const other = MODELS[1];
  await page.selectOption('#model-select', other);
  await page.waitForSelector(`#curves[data-points="${EPOCHS}"]`, { timeout: 60_000 });
  assert.strictEqual((await page.textContent('#served-name')).trim(), other);
  await page.waitForFunction((n) => document.getElementById('confusion').dataset.total === String(n), TEST_IMAGES,
    { timeout: 60_000 });
  assert.strictEqual((await page.textContent('#quality-name')).trim(), other);
  const r = await fetch(`${INFERENCE}/api/v1/model?model=${other}`);
  assert.strictEqual(r.status, 200, 'inference serves ' + other);
  const served = (await r.json()).version;
  await page.waitForFunction((v) => document.getElementById('confusion').dataset.version === String(v), served,
    { timeout: 60_000 });
  log(`selector: ${other} v${served} shown with its curve and confusion matrix`);
  await page.selectOption('#model-select', MODELS[0]);
  await page.waitForFunction((n) => document.getElementById('confusion').dataset.total === String(n), TEST_IMAGES,
    { timeout: 60_000 });
}

/** The first n test images (784 bytes each) from the IDX file ./fmnist up published. */
function testImages(n) {
  for (const dir of DATA_DIRS) {
    for (const name of ['t10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte']) {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) continue;
      const raw = fs.readFileSync(file);
      const idx = name.endsWith('.gz') ? zlib.gunzipSync(raw) : raw;
      assert.strictEqual(idx.readUInt32BE(0), 2051, file + ' is an IDX image file');
      const count = Math.min(n, idx.readUInt32BE(4));
      return Array.from({ length: count }, (_, i) => idx.subarray(16 + 784 * i, 16 + 784 * (i + 1)));
    }
  }
  throw new Error('no t10k-images-idx3-ubyte(.gz) in ' + DATA_DIRS.join(', '));
}

/** Sends each image inverted (255 - pixel) as raw bytes, without invert=true, a few at a time; every one is answered. */
async function sendInverted(images) {
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const image = images[next++];
      const inverted = new Uint8Array(784);
      for (let p = 0; p < 784; p++) inverted[p] = 255 - image[p];
      const r = await fetch(INFERENCE + '/api/v1/classify', {
        method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: inverted,
      });
      assert.strictEqual(r.status, 200, 'an inverted image is still answered');
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
  const origin = new URL(CONSOLE).origin;
  const foreign = [];
  const errors = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('request', (req) => {
      const u = req.url();
      if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    await page.goto(CONSOLE);
    await page.waitForSelector('#conn.ok', { timeout: 30_000 });
    log('stream connected');

    // --- curves: one point per epoch ---
    await page.waitForSelector(`#curves[data-points="${EPOCHS}"]`, { timeout: 5 * MINUTE });
    const dots = await page.locator('#curves circle.vacc').count();
    assert.strictEqual(dots, EPOCHS, 'a test-accuracy point per epoch');
    log(`curves: ${EPOCHS} points`);

    // --- quality: the confusion matrix covers the whole test split ---
    await page.waitForFunction((n) => document.getElementById('confusion').dataset.total === String(n), TEST_IMAGES,
      { timeout: 3 * MINUTE });
    const cells = await page.$$eval('#confusion tbody td', (tds) => tds.map((td) => Number(td.textContent)));
    assert.strictEqual(cells.length, 100);
    assert.strictEqual(cells.reduce((a, b) => a + b, 0), TEST_IMAGES, 'confusion matrix sums to the test split');
    const servedBefore = Number(await page.getAttribute('#served-version', 'data-version'));
    assert.ok(servedBefore >= EPOCHS, 'a served version');
    await page.waitForFunction((v) => document.getElementById('confusion').dataset.version === String(v), servedBefore);
    await page.waitForSelector('#gallery li img');
    log(`confusion matrix sums to ${TEST_IMAGES} for v${servedBefore}`);

    if (MODELS.length > 1) {
      await compareModels(page);
    } else {
      assert.ok(await page.locator('#compare').isHidden(), 'one model: no comparison panel');
      assert.ok(await page.locator('#models').isHidden(), 'one model: no model selector');
    }

    // --- every control has a name a screen reader can read ---
    const unnamed = await page.$$eval('button, input, select, canvas, [role=img]', (els) => els.filter((e) => {
      const labelled = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')
        || (e.id && document.querySelector(`label[for="${e.id}"]`)) || e.closest('label')
        || (e.tagName === 'BUTTON' && e.textContent.trim());
      return !labelled;
    }).map((e) => e.outerHTML.slice(0, 80)));
    assert.deepStrictEqual(unnamed, [], 'unlabelled controls');
    // the pad's keyboard alternative is reachable with Tab
    await page.focus('#pad-clear');
    await page.keyboard.press('Tab');
    assert.strictEqual(await page.evaluate(() => document.activeElement.id), 'file', 'Tab reaches the file chooser');

    await page.screenshot({ path: path.join(SHOTS, 'console.png'), fullPage: true });

    // --- try it: a drawing (mouse strokes on the pad) ---
    const pad = await page.locator('#pad').boundingBox();
    const stroke = async (points) => {
      await page.mouse.move(pad.x + points[0][0] * pad.width, pad.y + points[0][1] * pad.height);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) {
        await page.mouse.move(pad.x + x * pad.width, pad.y + y * pad.height, { steps: 8 });
      }
      await page.mouse.up();
    };
    // a pair of trousers: waistband and two legs
    await stroke([[0.3, 0.12], [0.7, 0.12]]);
    await stroke([[0.32, 0.12], [0.3, 0.9]]);
    await stroke([[0.68, 0.12], [0.7, 0.9]]);
    await stroke([[0.5, 0.14], [0.46, 0.9]]);
    await page.click('#pad-classify');
    await page.waitForFunction(() => document.getElementById('predicted').dataset.version !== '', null, { timeout: 30_000 });
    const drawn = await page.$eval('#predicted', (e) => ({ label: e.dataset.label, version: e.dataset.version }));
    assert.ok(drawn.label, 'the drawing got a label');
    assert.strictEqual(await page.locator('#bars li').count(), 10, 'ten probability bars');
    const seen = await page.getAttribute('#seen', 'src');
    assert.ok(seen.startsWith('data:image/png;base64,'), 'the 28x28 image is shown');
    log(`drawing classified as ${drawn.label} by v${drawn.version}`);
    await page.locator('#try').screenshot({ path: path.join(SHOTS, 'try-drawing.png') });

    // --- try it: an uploaded PNG (the most confident mistake of the gallery, a real test image) ---
    const first = await page.$eval('#gallery li', (li) => ({ src: li.querySelector('img').src,
      predicted: li.querySelector('.wrong').textContent.replace(/^model: /, '').replace(/ [0-9.]+%$/, '') }));
    const file = path.join(profile, 'upload.png');
    fs.writeFileSync(file, Buffer.from(first.src.split(',')[1], 'base64'));
    await page.evaluate(() => { document.getElementById('predicted').dataset.version = ''; });
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => document.getElementById('predicted').dataset.version !== '', null, { timeout: 30_000 });
    const uploaded = await page.$eval('#predicted', (e) => ({ label: e.dataset.label, version: e.dataset.version }));
    assert.strictEqual(uploaded.label, first.predicted, 'the served model repeats its gallery mistake on the same image');
    log(`upload classified as ${uploaded.label} (gallery said ${first.predicted})`);
    await page.locator('#try').screenshot({ path: path.join(SHOTS, 'try-upload.png') });

    // --- admin token, kept in the tab ---
    if (TOKEN_FILE && fs.existsSync(TOKEN_FILE)) {
      await page.fill('#token', fs.readFileSync(TOKEN_FILE, 'utf8').trim());
      await page.click('#token-save');
      await page.waitForSelector('#token-state:has-text("token set")');
      log('admin token entered');
    }

    // --- pin an older version through the UI: the inference API answers with it ---
    const latest = servedBefore;
    assert.strictEqual(await classifyDirect(), latest);
    await page.click('#versions-load');
    await page.waitForSelector('#versions button.pin');
    const headers = await page.$$eval('#versions-head th', (ths) => ths.map((th) => th.textContent.trim()));
    const withPromotion = await page.locator('#versions tr[data-state]').count();
    assert.strictEqual(headers.includes('promotion'), withPromotion > 0, 'a promotion column exactly when inference reports states');
    log(`versions: ${headers.join(' | ')}`);
    const older = latest - 1;
    await page.click(`#versions button.pin[data-version="${older}"]`);
    await page.waitForSelector('#model-msg:has-text("pinned v' + older + '")', { timeout: 15_000 });
    assert.strictEqual(await classifyDirect(), older, '/api/v1/classify answers with the pinned version');
    await page.waitForFunction((v) => document.getElementById('served-version').dataset.version === String(v), older,
      { timeout: 15_000 });
    await page.waitForFunction((v) => document.getElementById('confusion').dataset.version === String(v), older,
      { timeout: 60_000 });
    log(`pinned v${older}: classify answers v${older}, the page shows it and its confusion matrix`);
    await page.locator('#model').screenshot({ path: path.join(SHOTS, 'pinned.png') });
    await page.click('#unpin');
    await page.waitForSelector('#model-msg:has-text("unpinned")', { timeout: 15_000 });
    assert.strictEqual(await classifyDirect(), latest, 'unpinned: the newest version answers again');

    // --- a swap without a reload: one more epoch, started from the UI ---
    const navigations = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
    await page.fill('#train-epochs', String(EPOCHS + 1));
    await page.click('#train-start');
    await page.waitForSelector('#train-msg:has-text("run started")', { timeout: 30_000 });
    await page.waitForFunction((v) => Number(document.getElementById('served-version').dataset.version) > v, latest,
      { timeout: 5 * MINUTE });
    await page.waitForSelector(`#curves[data-points="${EPOCHS + 1}"]`, { timeout: 2 * MINUTE });
    const swapped = Number(await page.getAttribute('#served-version', 'data-version'));
    await page.waitForFunction((v) => document.getElementById('confusion').dataset.version === String(v), swapped,
      { timeout: 60_000 });
    assert.deepStrictEqual(navigations, [], 'no reload');
    assert.strictEqual(await classifyDirect(), swapped);
    log(`swap to v${swapped} shown live, curves at ${EPOCHS + 1} points, quality refreshed`);
    await page.screenshot({ path: path.join(SHOTS, 'after-swap.png'), fullPage: true });

    // --- drift: 1,200 dark-on-light images sent as raw bytes; the page shows the drift banner ---
    assert.ok(await page.locator('#alert-banner p[data-kind="drift"]').count() === 0, 'no drift before the inverted images');
    const inverted = testImages(DRIFT_IMAGES);
    const started = Date.now();
    await sendInverted(inverted);
    log(`sent ${inverted.length} inverted test images as raw bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await page.waitForSelector(`#alert-banner p[data-kind="drift"][data-model="${MODELS[0]}"]`, { timeout: 2 * MINUTE });
    assert.ok(await page.locator('#alert-banner').isVisible(), 'the banner is shown');
    await page.waitForSelector(`#alerts-list tr[data-kind="drift"]`, { timeout: 30_000 });
    const banner = (await page.textContent('#alert-banner')).trim();
    log('drift banner: ' + banner);
    await page.locator('#alert-banner').screenshot({ path: path.join(SHOTS, 'drift-banner.png') });
    await page.locator('#alerts').screenshot({ path: path.join(SHOTS, 'alerts.png') });

    // --- phone width ---
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling at phone width (${overflow}px too wide)`);
    await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: false });

    assert.deepStrictEqual(foreign, [], 'requests that left the console origin');
    assert.deepStrictEqual(errors, [], 'errors on the page');
    log('all checks passed; screenshots in ' + SHOTS);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error('[e2e] FAILED:', e && e.stack ? e.stack : e); process.exit(1); });
