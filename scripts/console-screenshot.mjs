// The README's screenshot of the console (docs/console.png): a server of
// the HTTP tests' harness (lighttpd, the build in build/san or
// UPTIME_BUILD), a team seeded through uptime-admin, the API and the
// console's own forms, and its API keys page in headless Chromium at
// 1280 x 800.
//
//   make BUILD=build/san SAN=1 all tests/http/node_modules/.stamp
//   node scripts/console-screenshot.mjs [docs/console.png]
import path from 'node:path';
import { startServer, ROOT } from '../tests/http/lib/harness.mjs';
import { startBrowser, pngSize } from '../tests/http/lib/browser.mjs';

const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'console.png'));
const PW = 'a long enough password';
const srv = await startServer();
let browser;
try {
  const form = (p, fields, cookie) => srv.api('POST', p, {
    rawBody: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  });
  const tokenOf = (link) => new URL(link).hash.replace(/^#token=/, '');
  const r = await srv.admin('team', 'create', 'Acme Web', '--owner', 'ada@acme.example', '--owner-name', 'Ada Lovelace');
  const team = r.stdout.trim();
  await srv.createKey(team, { name: 'deploy pipeline', scopes: 'monitors:read,monitors:write' });
  const key = await srv.createKey(team, { name: 'bootstrap' });
  for (const [email, name, role] of [['grace@acme.example', 'Grace Hopper', 'admin'], ['linus@acme.example', 'Linus T', 'member']]) {
    const inv = await srv.api('POST', '/v1/team/invites', { key, body: { email, role } });
    await form('/app/accept', { token: tokenOf(inv.json.data.acceptUrl), name, password: PW });
  }
  const link = /(http\S+\/app\/password#token=\S+)/.exec(r.stderr)[1];
  const set = await form('/app/password', { token: tokenOf(link), password: PW });
  const cookie = set.headers.get('set-cookie').split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec((await srv.api('GET', '/app', { headers: { cookie } })).text)[1];
  const day = new Date(Date.now() + 90 * 86400000).toISOString().slice(0, 10);
  await form('/app/api-keys', [['name', 'status dashboard'], ['scope', 'monitors:read'], ['scope', 'status-pages:read'],
    ['expires', day], ['csrf', csrf]], cookie);
  await form('/app/api-keys', [['name', 'grafana'], ['scope', 'monitors:read'], ['csrf', csrf]], cookie);

  browser = await startBrowser();
  const tab = await browser.open(`${srv.baseUrl}/app/login`, { width: 1280, height: 800 });
  await tab.eval(`document.getElementById("email").value = "ada@acme.example"`);
  await tab.eval(`document.getElementById("password").value = ${JSON.stringify(PW)}`);
  await tab.eval('document.querySelector("form.card button").click()');
  for (let i = 0; i < 100 && !(await tab.eval('location.pathname.endsWith("/app") && document.readyState === "complete"')); i++)
    await new Promise((res) => setTimeout(res, 100));
  await tab.eval(`location.href = ${JSON.stringify(`${srv.baseUrl}/app/api-keys`)}`);
  for (let i = 0; i < 100 && !(await tab.eval('location.pathname.endsWith("/api-keys") && document.readyState === "complete"')); i++)
    await new Promise((res) => setTimeout(res, 100));
  const png = await tab.screenshot(out);
  const { width, height } = pngSize(png);
  if (tab.errors.length) throw new Error(`the page reported errors: ${tab.errors.join('; ')}`);
  await tab.close();
  process.stdout.write(`${out}: ${width} x ${height}\n`);
} finally {
  await browser?.close();
  await srv.stop();
}
