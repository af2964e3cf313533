// Browser end-to-end harness for Gongfu.
//
// startServer()   spawns the real `gongfu serve --demo` on a free loopback port with a
//                 fresh SQLite file in a temp dir and waits for GET /healthz == 200.
// launchBrowser() starts Debian's headless Chromium (/usr/bin/chromium) via playwright-core.
// newPage()       opens a page (desktop 1366x850 or phone 390x844) that records console
//                 errors, uncaught page errors and any request leaving localhost in
//                 `page.__errors` (external requests are blocked: no CDN, ever).
// screenshot()    saves a PNG into e2e/screenshots/ (gitignored) to look at.
// getJson()       GET an API path of a started server, parsed, with a readable error.
// horizontalOverflow()  how far a page sticks out sideways, and which elements do it.
//
// The binary comes from $GONGFU_BIN (scripts/test.sh sets it to the absolute path of
// target/debug/gongfu); without it, ../target/debug/gongfu relative to this file is used.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = path.join(HERE, 'screenshots');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const DESKTOP_VIEWPORT = { width: 1366, height: 850 };
export const PHONE_VIEWPORT = { width: 390, height: 844 };

const STARTUP_TIMEOUT_MS = 60_000;

/** The password `--demo` gives every demo account in the tests (GONGFU_DEMO_PASSWORD). */
export const DEMO_PASSWORD = 'e2e-演示密码-2025';

/** The session of the last server started: pages and getJson act as its administrator. */
let session = null;

/** Signs in through the login form with fetch; returns the `name=value` session cookie. */
export async function signIn(url, username = 'admin', password = DEMO_PASSWORD) {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, next: '/' }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  if (res.status !== 303 || !cookie.startsWith('gongfu_session=')) {
    throw new Error(`signing in as ${username} failed: HTTP ${res.status}`);
  }
  return cookie;
}

/** Absolute path of the gongfu binary under test. */
export function gongfuBin() {
  const bin = process.env.GONGFU_BIN
    ? path.resolve(process.env.GONGFU_BIN)
    : path.resolve(HERE, '..', 'target', 'debug', 'gongfu');
  if (!fs.existsSync(bin)) {
    throw new Error(
      `gongfu binary not found at ${bin}: run \`cargo build -p gongfu\` or set GONGFU_BIN`,
    );
  }
  return bin;
}

/** A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Children still alive when the test process exits are killed, so a failing test never
// leaves a server behind.
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Start `gongfu serve --demo` on a free port with a fresh database.
 *
 * @param {object} [opts]
 * @param {string[]} [opts.extraArgs]  more arguments after the standard ones
 * @param {object} [opts.env]          extra environment variables
 * @returns {Promise<{url: string, port: number, dbPath: string, dir: string, logPath: string,
 *                    log: () => string, stop: () => Promise<void>}>}
 */
export async function startServer(opts = {}) {
  const bin = gongfuBin();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'gongfu-e2e-'));
  const dbPath = path.join(dir, 'e2e.db');
  const logPath = path.join(dir, 'server.log');
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const url = `http://${addr}`;
  const args = ['serve', '--demo', '--db', dbPath, '--addr', addr, ...(opts.extraArgs ?? [])];

  const logFd = fs.openSync(logPath, 'a');
  const child = spawn(bin, args, {
    cwd: dir,
    env: { ...process.env, GONGFU_DEMO_PASSWORD: DEMO_PASSWORD, ...(opts.env ?? {}) },
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  liveChildren.add(child);

  let exited = null;
  const exitedPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      liveChildren.delete(child);
      resolve();
    });
    child.on('error', (err) => {
      exited = { error: err };
      liveChildren.delete(child);
      resolve();
    });
  });

  const log = () => {
    try {
      return fs.readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => !exited && child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    if (process.env.GONGFU_E2E_KEEP) {
      console.log(`# gongfu e2e: kept ${dir} (GONGFU_E2E_KEEP set)`);
    } else {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  };

  const fail = async (why) => {
    const text = log();
    await stop();
    throw new Error(
      `gongfu server failed to start: ${why}\n` +
        `command: ${bin} ${args.join(' ')}\n` +
        `---- server log ----\n${text}---- end of server log ----`,
    );
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (exited) {
      await fail(
        exited.error
          ? `could not spawn: ${exited.error.message}`
          : `exited early (code ${exited.code}, signal ${exited.signal})`,
      );
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
      lastProblem = `GET /healthz answered ${res.status}`;
    } catch (err) {
      lastProblem = `GET /healthz: ${err.cause?.code ?? err.message}`;
    }
    if (Date.now() > deadline) {
      await fail(`no 200 from /healthz within ${STARTUP_TIMEOUT_MS / 1000} s (${lastProblem})`);
    }
    await sleep(100);
  }

  const cookie = await signIn(url);
  session = { url, cookie };
  return { url, port, dbPath, dir, logPath, log, stop, cookie };
}

/** Headless Debian Chromium driven by playwright-core. */
export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: install Debian's chromium (scripts/test.sh does this)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

function isLocal(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * A new page in its own browser context (own cookies/storage), zh-CN, Asia/Shanghai.
 * `page.__errors` collects console errors, uncaught exceptions and blocked non-local
 * requests; assert it is empty at the end of a test. Closing the page closes its context.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {{mobile?: boolean}} [opts]
 */
export async function newPage(browser, { mobile = false, signedIn = true } = {}) {
  const context = await browser.newContext({
    viewport: mobile ? PHONE_VIEWPORT : DESKTOP_VIEWPORT,
    deviceScaleFactor: mobile ? 2 : 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  if (signedIn && session) {
    const [name, value] = session.cookie.split(/=(.*)/s);
    await context.addCookies([{ name, value, url: session.url, httpOnly: true, sameSite: 'Lax' }]);
  }
  const page = await context.newPage();
  const errors = [];
  page.__errors = errors;

  // Nothing may leave this machine: the app serves every asset itself.
  await context.route(
    (url) => !isLocal(url.href),
    (route) => {
      errors.push(`blocked non-local request: ${route.request().url()}`);
      return route.abort('blockedbyclient');
    },
  );
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      const where = loc?.url ? ` (${loc.url}:${loc.lineNumber})` : '';
      errors.push(`console.error: ${msg.text()}${where}`);
    }
  });
  page.on('pageerror', (err) => {
    errors.push(`page error: ${err.stack || err.message || String(err)}`);
  });
  page.on('close', () => {
    context.close().catch(() => {});
  });
  return page;
}

/** Save a PNG of the page into e2e/screenshots/<name>.png and return its path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await fsp.mkdir(SCREENSHOT_DIR, { recursive: true });
  const safe = String(name).replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/\.png$/i, '');
  const file = path.join(SCREENSHOT_DIR, `${safe}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * GET `${server.url}${path}` and return the parsed JSON body; throws a readable error on a
 * non-2xx answer.
 */
export async function getJson(server, path) {
  const res = await fetch(`${server.url}${path}`, {
    headers: { cookie: server.cookie },
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`GET ${path} did not answer JSON (${err.message}): ${text.slice(0, 200)}`);
  }
}

/**
 * How the page overflows horizontally, measured against `width` (the viewport the test asked
 * for, not window.innerWidth: on a mobile viewport Chromium widens the layout viewport to fit
 * content that sticks out, so innerWidth grows with the overflow). Returns the document's
 * scrollWidth, window.innerWidth and up to 8 elements whose right edge passes `width` and that
 * are not inside a horizontally scrolling box (those are allowed to be wide).
 */
export async function horizontalOverflow(page, width) {
  return page.evaluate((w) => {
    const scrolls = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
      }
      return false;
    };
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right + window.scrollX > w + 1 && !scrolls(el)) {
        const id = el.id ? `#${el.id}` : '';
        const cls =
          typeof el.className === 'string' && el.className.trim()
            ? `.${el.className.trim().split(/\s+/).join('.')}`
            : '';
        culprits.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(r.right)}px)`);
        if (culprits.length >= 8) break;
      }
    }
    return {
      scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      innerWidth: window.innerWidth,
      culprits,
    };
  }, width);
}
