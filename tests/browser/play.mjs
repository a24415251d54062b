// Plays a Clear Key DASH clip in shaka-player in the system Chromium, with its license from the rights URL given.
//
//   node play.mjs --media DIR --license URL --screenshot FILE [--timeout-ms N] [--chromium PATH]
//
// Serves a page, DIR (manifest.mpd and its segments) and shaka-player's build from 127.0.0.1 on a port of its own,
// loads the manifest with drm.servers['org.w3.clearkey'] = URL, and waits until playback is past 2 s with decoded
// frames, or shaka reports an error, or the deadline passes. Takes a screenshot into FILE, then prints one JSON
// line: {"played","currentTime","decodedFrames","error":{"code","category","severity","detail"}|null,"timedOut"}.
// Exits 0 whenever it printed that line; otherwise 1, with the reason on stderr.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: options } = parseArgs({
  options: {
    media: { type: 'string' },
    license: { type: 'string' },
    screenshot: { type: 'string' },
    'timeout-ms': { type: 'string', default: '15000' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
for (const name of ['media', 'license', 'screenshot']) {
  if (!options[name]) fail(`--${name} is required`);
}
const timeoutMs = Number(options['timeout-ms']);

const here = dirname(fileURLToPath(import.meta.url));
const roots = {
  '/media/': resolve(options.media),
  '/shaka/': join(here, 'node_modules', 'shaka-player', 'dist'),
};
const types = {
  '.mpd': 'application/dash+xml',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.js': 'text/javascript',
  '.map': 'application/json',
};

// The page defines play() and state(); play.mjs drives them through Playwright.
const page = `<!doctype html>
<meta charset="utf-8">
<title>Clear Key playback</title>
<style>body { margin: 0; background: #000; }</style>
<script src="/shaka/shaka-player.compiled.js"></script>
<video id="video" width="640" height="360" muted></video>
<script>
  window.outcome = { error: null };
  window.play = async (manifest, license) => {
    shaka.polyfill.installAll();
    const video = document.getElementById('video');
    const player = new shaka.Player();
    // The first error wins; its data is kept as short text, without init data bytes or nested stacks.
    const report = (error) => {
      const detail = JSON.stringify(error.data ?? error.message,
        (key, value) => (ArrayBuffer.isView(value) ? \`<\${value.byteLength} bytes>\` : key === 'stack' ? undefined : value));
      window.outcome.error ??= { code: error.code, category: error.category, severity: error.severity, detail: detail?.slice(0, 400) };
    };
    player.addEventListener('error', (event) => report(event.detail));
    player.configure({ drm: { servers: { 'org.w3.clearkey': license } } });
    await player.attach(video);
    try {
      await player.load(manifest);
      await video.play();
    } catch (error) {
      report(error);
    }
  };
  window.state = () => {
    const video = document.getElementById('video');
    const quality = video.getVideoPlaybackQuality();
    return { currentTime: video.currentTime, decodedFrames: quality.totalVideoFrames, error: window.outcome.error };
  };
</script>`;

const server = createServer(async (request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
  if (path === '/') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    return;
  }
  const prefix = Object.keys(roots).find((p) => path.startsWith(p));
  const file = prefix && resolve(roots[prefix], '.' + path.slice(prefix.length - 1));
  if (!file || !file.startsWith(roots[prefix] + sep)) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
// 127.0.0.1, not a LAN address: a loopback origin is a secure context, which EME requires.
await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
const origin = `http://127.0.0.1:${server.address().port}`;

let browser;
try {
  browser = await chromium.launch({
    executablePath: options.chromium,
    headless: true,
    // Playwright adds --headless, --no-sandbox, --no-first-run, --disable-background-networking,
    // --disable-component-update, --disable-sync and a fresh temporary --user-data-dir itself.
    args: ['--disable-gpu', '--disable-quic'],
  });
  const tab = await browser.newPage({ viewport: { width: 640, height: 360 } });
  tab.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await tab.goto(origin + '/');
  await tab.evaluate(([manifest, license]) => { window.play(manifest, license); }, [origin + '/media/manifest.mpd', options.license]);

  let timedOut = false;
  try {
    await tab.waitForFunction(() => {
      const now = window.state();
      return now.error !== null || (now.currentTime > 2 && now.decodedFrames > 0);
    }, null, { timeout: timeoutMs, polling: 50 });
  } catch (error) {
    if (error.name !== 'TimeoutError') throw error;
    timedOut = true;
  }
  const result = await tab.evaluate(() => window.state());
  await tab.screenshot({ path: options.screenshot });
  const played = result.error === null && result.currentTime > 2 && result.decodedFrames > 0;
  console.log(JSON.stringify({ played, ...result, timedOut }));
} catch (error) {
  console.error(`play.mjs: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  server.close();
}

function fail(reason) {
  console.error(`play.mjs: ${reason}`);
  process.exit(1);
}
