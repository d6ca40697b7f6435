// Makes every icon in assets/ from the SVG drawings below: tray icons per state (Linux PNGs at 1x and 2x,
// macOS black-and-alpha template images, Windows .ico) and the app icon (PNG, .ico, .icns). SVG is rendered by
// Chromium (the tests' /usr/bin/chromium, through Playwright) and packed into .ico/.icns here, so nothing else
// is needed. Run: node_modules/.bin/node assets/make-icons.ts (the outputs are committed).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright';

const here = import.meta.dirname;
const states = ['quiet', 'unseen', 'scanning', 'error', 'paused'] as const;
type State = (typeof states)[number];

const BLUE = '#2b78e4';
const SWEEP = '#7fb5ff';
const GREY = '#8b9099';
const RED = '#e0433a';
const ORANGE = '#f28c18';

/** The tray glyph on a 32-unit grid: a radar ring, its centre, and a mark per state. */
function traySvg(state: State, template: boolean): string {
  const ink = template ? '#000' : state === 'paused' || state === 'error' ? GREY : BLUE;
  const parts: string[] = [];
  const mask = template && (state === 'unseen' || state === 'error');
  if (state === 'scanning')
    parts.push(
      `<path d="M16 16 L16 4.5 A11.5 11.5 0 0 1 27.2 13.4 Z" fill="${template ? '#000' : SWEEP}" opacity="${template ? 0.55 : 1}"/>`,
    );
  parts.push(
    `<circle cx="16" cy="16" r="11.5" fill="none" stroke="${ink}" stroke-width="3.2" ${mask ? 'mask="url(#cut)"' : ''}/>`,
  );
  if (state === 'paused') {
    parts.push(
      `<rect x="11.6" y="10.5" width="3.2" height="11" rx="1" fill="${ink}"/>`,
      `<rect x="17.2" y="10.5" width="3.2" height="11" rx="1" fill="${ink}"/>`,
    );
  } else {
    parts.push(`<circle cx="16" cy="16" r="3.6" fill="${ink}"/>`);
  }
  if (state === 'unseen') {
    parts.push(
      `<circle cx="25" cy="7" r="6" fill="${template ? '#000' : ORANGE}" ${template ? '' : 'stroke="#fff" stroke-width="1.6"'}/>`,
    );
  }
  if (state === 'error') {
    parts.push(
      `<circle cx="24.5" cy="24.5" r="7" fill="${template ? '#000' : RED}" ${template ? '' : 'stroke="#fff" stroke-width="1.6"'}/>`,
      `<rect x="23.3" y="19.8" width="2.4" height="6" rx="1" fill="${template ? 'none' : '#fff'}"/>`,
      `<circle cx="24.5" cy="28.3" r="1.3" fill="${template ? 'none' : '#fff'}"/>`,
    );
  }
  // Template badges are cut out of the ring so they read without colour.
  const defs = mask
    ? `<defs><mask id="cut"><rect width="32" height="32" fill="#fff"/><circle cx="${state === 'unseen' ? 25 : 24.5}" cy="${state === 'unseen' ? 7 : 24.5}" r="${state === 'unseen' ? 8 : 9}" fill="#000"/></mask></defs>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${defs}${parts.join('')}</svg>`;
}

/** The app icon on a 512 grid: a rounded blue tile with the radar, its sweep and one new blip. */
function appSvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3d8bf2"/><stop offset="1" stop-color="#1557c0"/></linearGradient>
    <radialGradient id="sweep" cx="256" cy="256" r="170" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="#fff" stop-opacity="0.55"/><stop offset="1" stop-color="#fff" stop-opacity="0.05"/></radialGradient>
  </defs>
  <rect x="24" y="24" width="464" height="464" rx="104" fill="url(#bg)"/>
  <path d="M256 256 L256 86 A170 170 0 0 1 413 191 Z" fill="url(#sweep)"/>
  <circle cx="256" cy="256" r="170" fill="none" stroke="#fff" stroke-width="26"/>
  <circle cx="256" cy="256" r="98" fill="none" stroke="#fff" stroke-opacity="0.55" stroke-width="14"/>
  <circle cx="256" cy="256" r="30" fill="#fff"/>
  <circle cx="352" cy="168" r="24" fill="#ffb020" stroke="#fff" stroke-width="10"/>
</svg>`;
}

/** .ico with PNG entries (Windows Vista and later read them). */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e);
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

/** .icns with PNG entries, by the OSType for each pixel size. */
function icns(images: { type: string; png: Buffer }[]): Buffer {
  const chunks = images.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

const browser = await chromium.launch({
  executablePath: process.env.PORTWATCH_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu'],
});
const page = await browser.newPage({ deviceScaleFactor: 1 });
async function render(svg: string, size: number): Promise<Buffer> {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
  );
  return page.locator('svg').screenshot({ omitBackground: true });
}

const tray = path.join(here, 'tray');
await mkdir(tray, { recursive: true });
for (const state of states) {
  for (const size of [16, 22, 24, 32, 48]) {
    await writeFile(path.join(tray, `${state}-${size}.png`), await render(traySvg(state, false), size));
    await writeFile(
      path.join(tray, `${state}-${size}@2x.png`),
      await render(traySvg(state, false), size * 2),
    );
  }
  await writeFile(path.join(tray, `${state}Template.png`), await render(traySvg(state, true), 16));
  await writeFile(path.join(tray, `${state}Template@2x.png`), await render(traySvg(state, true), 32));
  const sizes = [16, 24, 32, 48];
  await writeFile(
    path.join(tray, `${state}.ico`),
    ico(
      await Promise.all(
        sizes.map(async (size) => ({ size, png: await render(traySvg(state, false), size) })),
      ),
    ),
  );
  await writeFile(path.join(tray, `${state}.svg`), traySvg(state, false) + '\n');
}

await writeFile(path.join(here, 'icon.svg'), appSvg() + '\n');
await writeFile(path.join(here, 'icon.png'), await render(appSvg(), 512));
const appSizes = [16, 24, 32, 48, 64, 128, 256];
const appPngs = new Map<number, Buffer>();
for (const size of [...appSizes, 512, 1024]) appPngs.set(size, await render(appSvg(), size));
await writeFile(
  path.join(here, 'icon.ico'),
  ico(appSizes.map((size) => ({ size, png: appPngs.get(size)! }))),
);
await writeFile(
  path.join(here, 'icon.icns'),
  icns([
    { type: 'icp4', png: appPngs.get(16)! },
    { type: 'icp5', png: appPngs.get(32)! },
    { type: 'icp6', png: appPngs.get(64)! },
    { type: 'ic07', png: appPngs.get(128)! },
    { type: 'ic08', png: appPngs.get(256)! },
    { type: 'ic09', png: appPngs.get(512)! },
    { type: 'ic10', png: appPngs.get(1024)! },
  ]),
);
await browser.close();
console.log(`icons written to ${here}`);
