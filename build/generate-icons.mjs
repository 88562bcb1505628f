#!/usr/bin/env node
// Generates the committed icons in build/ (run: node build/generate-icons.mjs). No image library: the
// shapes are drawn as unions of simple geometric tests, anti-aliased by 4x4 supersampling, and encoded
// as PNG (RGBA, zlib) by hand. Output:
//   build/icon.png, build/icons/{512x512,256x256}.png  app icon (electron-builder: Linux/macOS/Windows)
//   build/tray/<state>.png (32 px) and <state>@2x.png (64 px) for idle, syncing, attention, running
//   build/tray/mac/<state>Template.png (16 px) and <state>Template@2x.png (32 px): macOS template images
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

const here = dirname(new URL(import.meta.url).pathname);

// ---- PNG encoding
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- shapes in unit coordinates (0..1, y down)
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
};
const union = (...s) => (x, y) => s.some((f) => f(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);
function triangle(ax, ay, bx, by, cx, cy) {
  const sign = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
  return (x, y) => {
    const d1 = sign(x, y, ax, ay, bx, by);
    const d2 = sign(x, y, bx, by, cx, cy);
    const d3 = sign(x, y, cx, cy, ax, ay);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

// A cloud: three bumps on a rounded base.
const cloud = (s = 1, ox = 0, oy = 0) => {
  const t = (v, o) => o + v * s;
  return union(
    circle(t(0.36, ox), t(0.52, oy), 0.16 * s),
    circle(t(0.56, ox), t(0.42, oy), 0.2 * s),
    circle(t(0.72, ox), t(0.56, oy), 0.13 * s),
    roundRect(t(0.2, ox), t(0.52, oy), t(0.85, ox), t(0.69, oy), 0.085 * s),
  );
};

// Two arrows (up and down): sync.
const syncArrows = (cx, cy, s) => union(
  rect(cx - 0.13 * s, cy - 0.08 * s, cx - 0.07 * s, cy + 0.16 * s),
  triangle(cx - 0.19 * s, cy - 0.06 * s, cx - 0.01 * s, cy - 0.06 * s, cx - 0.1 * s, cy - 0.18 * s),
  rect(cx + 0.07 * s, cy - 0.16 * s, cx + 0.13 * s, cy + 0.08 * s),
  triangle(cx + 0.01 * s, cy + 0.06 * s, cx + 0.19 * s, cy + 0.06 * s, cx + 0.1 * s, cy + 0.18 * s),
);

function render(size, layers) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let cr = 0, cg = 0, cb = 0, ca = 0;
          for (const [shape, [lr, lg, lb, la]] of layers) {
            if (!shape(x, y)) continue;
            // "over" compositing of this layer's colour
            const na = la + ca * (1 - la);
            cr = (lr * la + cr * ca * (1 - la)) / (na || 1);
            cg = (lg * la + cg * ca * (1 - la)) / (na || 1);
            cb = (lb * la + cb * ca * (1 - la)) / (na || 1);
            ca = na;
          }
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const i = (py * size + px) * 4;
      const samples = n * n;
      rgba[i + 3] = Math.round((a / samples) * 255);
      if (a > 0) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
      }
    }
  }
  return encodePng(size, rgba);
}

const blue = [21, 101, 192, 1];
const white = [255, 255, 255, 1];

const appIcon = [
  [roundRect(0.04, 0.04, 0.96, 0.96, 0.2), blue],
  [cloud(1, 0, 0.02), white],
  [syncArrows(0.53, 0.6, 0.7), blue],
];

const trayColours = {
  idle: [96, 108, 120, 1],
  syncing: [21, 101, 192, 1],
  attention: [230, 120, 0, 1],
  running: [46, 140, 60, 1],
};
const trayBase = cloud(1.4, -0.22, -0.2);
const trayGlyph = {
  syncing: syncArrows(0.52, 0.6, 0.75),
  attention: union(roundRect(0.47, 0.33, 0.58, 0.62, 0.035), circle(0.525, 0.71, 0.055)),
  running: triangle(0.43, 0.38, 0.43, 0.74, 0.68, 0.56),
  idle: minus(circle(0.52, 0.57, 0.13), circle(0.52, 0.57, 0.075)),
};
function trayLayers(state) {
  return [[trayBase, trayColours[state]], [trayGlyph[state], white]];
}
// macOS template image: black and alpha only (macOS tints it for the menu bar), the glyph cut out.
const black = [0, 0, 0, 1];
function trayTemplateLayers(state) {
  return [[minus(trayBase, trayGlyph[state]), black]];
}

function write(rel, buf) {
  const p = join(here, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, buf);
  console.log(`${rel} ${buf.length} bytes`);
}

const big = render(512, appIcon);
write('icon.png', big);
write('icons/512x512.png', big);
write('icons/256x256.png', render(256, appIcon));
for (const state of Object.keys(trayColours)) {
  write(`tray/${state}.png`, render(32, trayLayers(state)));
  write(`tray/${state}@2x.png`, render(64, trayLayers(state)));
  write(`tray/mac/${state}Template.png`, render(16, trayTemplateLayers(state)));
  write(`tray/mac/${state}Template@2x.png`, render(32, trayTemplateLayers(state)));
}
