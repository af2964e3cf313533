// Takes screenshots of pages of a running server, for looking at them by eye:
//   node shoot.mjs http://127.0.0.1:8080 OUTDIR [phone] path1 path2 …
// against a server started with GONGFU_DEMO_PASSWORD set to harness.mjs's DEMO_PASSWORD.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DESKTOP_VIEWPORT, PHONE_VIEWPORT, signIn } from './harness.mjs';

const [base, out, ...rest] = process.argv.slice(2);
const phone = rest[0] === 'phone';
const paths = phone ? rest.slice(1) : rest;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const ctx = await browser.newContext({ viewport: phone ? PHONE_VIEWPORT : DESKTOP_VIEWPORT, deviceScaleFactor: 1, locale: 'zh-CN' });
// Signs in as the demo administrator (the server must run with GONGFU_DEMO_PASSWORD set).
const [name, value] = (await signIn(base)).split(/=(.*)/s);
await ctx.addCookies([{ name, value, url: base }]);
for (const p of paths) {
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(p, 'console error:', m.text()); });
  page.on('pageerror', (e) => console.log(p, 'page error:', e.message));
  page.on('response', (r) => { if (r.status() >= 400) console.log(p, 'HTTP', r.status(), r.url()); });
  await page.goto(base + p, { waitUntil: 'networkidle' });
  await page.waitForTimeout(800);
  const name = (p.replace(/[^a-z0-9]+/gi, '_') || 'root') + (phone ? '_phone' : '') + '.png';
  await page.screenshot({ path: `${out}/${name}`, fullPage: !p.startsWith('/map') });
  console.log('saved', name);
  await page.close();
}
await browser.close();
