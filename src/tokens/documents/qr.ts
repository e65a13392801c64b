import { create } from 'qrcode';
import type { TokenKind } from '../kind.js';
import { configString, stringOption } from '../options.js';
import { dressedUrl, newDressing } from '../http.js';
import { xmlText } from './xml-text.js';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from './font5x7.js';
import { greyscalePng } from './png.js';

/** Pixels a module, and the quiet zone in modules the QR specification asks for. */
const SCALE = 8;
const MARGIN = 4;
const CAPTION_PATTERN = /^[^\u0000-\u001f\u007f<>&]{1,80}$/;

/** The QR modules of `text`: true for dark. */
function modules(text: string): { size: number; dark(row: number, col: number): boolean } {
  const matrix = create(text, { errorCorrectionLevel: 'M' }).modules;
  return { size: matrix.size, dark: (row, col) => matrix.get(row, col) === 1 };
}

/**
 * The code as a PNG, with the caption under it in a 5x7 bitmap font: as large as fits the code's
 * width (up to 3 pixels a font pixel), the image widened only when a long caption needs it.
 */
export function qrPng(text: string, caption: string | null = null): Buffer {
  const qr = modules(text);
  const side = (qr.size + 2 * MARGIN) * SCALE;
  const textPixels = caption ? caption.length * GLYPH_ADVANCE : 0;
  const dot = caption ? Math.max(1, Math.min(3, Math.floor((side - 2 * SCALE) / textPixels))) : 0;
  const width = Math.max(side, textPixels * dot + 2 * SCALE);
  const height = caption ? side + (GLYPH_HEIGHT + 2) * dot + MARGIN * SCALE : side;
  const pixels = new Uint8Array(width * height).fill(255);
  const left = Math.floor((width - side) / 2);
  const fill = (x: number, y: number, size: number) => {
    for (let dy = 0; dy < size; dy++) pixels.fill(0, (y + dy) * width + x, (y + dy) * width + x + size);
  };
  for (let row = 0; row < qr.size; row++) {
    for (let col = 0; col < qr.size; col++) if (qr.dark(row, col)) fill(left + (col + MARGIN) * SCALE, (row + MARGIN) * SCALE, SCALE);
  }
  if (caption) {
    const x0 = Math.floor((width - textPixels * dot) / 2);
    const y0 = side;
    [...caption].forEach((char, i) => {
      for (let column = 0; column < GLYPH_WIDTH; column++) {
        for (let row = 0; row < GLYPH_HEIGHT; row++) if (glyphPixel(char, column, row)) fill(x0 + (i * GLYPH_ADVANCE + column) * dot, y0 + row * dot, dot);
      }
    });
  }
  return greyscalePng(width, height, pixels);
}

/** The same code as SVG, one path of unit squares, with the caption under it when there is one. */
export function qrSvg(text: string, caption: string | null): string {
  const qr = modules(text);
  const side = qr.size + 2 * MARGIN;
  const height = caption ? side + 4 : side;
  let path = '';
  for (let row = 0; row < qr.size; row++) {
    for (let col = 0; col < qr.size; col++) if (qr.dark(row, col)) path += `M${col + MARGIN} ${row + MARGIN}h1v1h-1z`;
  }
  const label = caption
    ? `<text x="${side / 2}" y="${side + 1.5}" font-family="Helvetica, Arial, sans-serif" font-size="2.4" text-anchor="middle">${xmlText(caption)}</text>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${height}" width="${side * SCALE}" height="${height * SCALE}" shape-rendering="crispEdges"><rect width="${side}" height="${height}" fill="#fff"/><path d="${path}" fill="#000"/>${label}</svg>\n`;
}

/** A QR code of a web-bug URL, to print on a poster, a badge or a sticker: scanning it and opening the link fires the token. */
export const qrTokenKind: TokenKind = {
  kind: 'qr',
  title: 'QR code: alerts when scanned and opened',
  acceptsRedirect: true,
  optionFields: [{ name: 'caption', label: 'Caption', type: 'text', placeholder: 'Guest Wi-Fi', help: 'Printed under the code (at most 80 characters).' }],
  prepare(_id, input) {
    const caption = stringOption(input, 'caption', CAPTION_PATTERN, 'at most 80 printable characters without < > &') ?? null;
    return { ...newDressing(), caption };
  },
  artifact(token, context) {
    const url = dressedUrl(token, context);
    const caption = configString(token.config, 'caption', '') || null;
    const name = `qr-${token.id.slice(0, 6)}`;
    return {
      url,
      file: { name: `${name}.png`, content: qrPng(url, caption).toString('base64'), mode: 0o644, encoding: 'base64' },
      extraFiles: [{ name: `${name}.svg`, content: qrSvg(url, caption), mode: 0o644 }],
      usage:
        'Print the code where only an intruder (or an unauthorised visitor) would scan it; opening its link fires the token. A redirect sends the scanner on to a page of your choice.',
    };
  },
};
