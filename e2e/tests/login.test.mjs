// Sign-in in the real browser: a signed-out visitor is sent to the login page, a wrong
// password is refused in Chinese, the right one lands on the page asked for, and signing
// out ends the session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, launchBrowser, newPage, screenshot, startServer } from '../harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('signing in and out in the browser', async () => {
  const page = await newPage(browser, { signedIn: false });
  try {
    await page.goto(`${server.url}/zones`, { waitUntil: 'networkidle' });
    assert.match(new URL(page.url()).pathname, /^\/login$/, 'a signed-out visitor lands on /login');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong-password-123');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-error');
    assert.match(await page.locator('#login-error').innerText(), /用户名或密码不正确/);
    await screenshot(page, 'login-error-desktop');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await Promise.all([page.waitForURL(/\/zones$/), page.click('#login-form button[type=submit]')]);
    assert.match(await page.locator('#current-user').innerText(), /管理员/);
    await Promise.all([page.waitForURL(/\/login$/), page.click('.userbox button[type=submit]')]);
    await page.goto(`${server.url}/zones`, { waitUntil: 'networkidle' });
    assert.match(new URL(page.url()).pathname, /^\/login$/, 'signed out: back to /login');
    // The refused sign-in answers 401 on purpose; the browser reports that as a console error.
    const unexpected = page.__errors.filter((e) => !/status of 401 .*\/login/.test(e));
    assert.deepEqual(unexpected, []);
  } finally {
    await page.close();
  }
});
