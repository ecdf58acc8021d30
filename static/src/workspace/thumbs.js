// Thumbnails sent as raw pixels (`{width, height, channels, data}`: base64 of uint8 rows, 1 or
// 3 channels) drawn on a canvas: the Content-Security-Policy allows no data: or blob: images,
// and a canvas needs neither.
import { el } from "../base/dom.js";

const MAX_SIDE = 256;

function bytesOf(base64) {
  const text = atob(String(base64 || ""));
  const bytes = new Uint8ClampedArray(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** RGBA pixels of a thumbnail, or null when its fields do not describe its data. */
export function pixels(thumb) {
  const width = Number(thumb?.width);
  const height = Number(thumb?.height);
  const channels = Number(thumb?.channels);
  if (![width, height].every((n) => Number.isInteger(n) && n > 0 && n <= MAX_SIDE)) return null;
  if (channels !== 1 && channels !== 3) return null;
  let bytes;
  try {
    bytes = bytesOf(thumb.data);
  } catch {
    return null;
  }
  if (bytes.length !== width * height * channels) return null;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    rgba[i * 4] = bytes[j];
    rgba[i * 4 + 1] = bytes[channels === 3 ? j + 1 : j];
    rgba[i * 4 + 2] = bytes[channels === 3 ? j + 2 : j];
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** A canvas showing the thumbnail (scaled up by CSS), or a note when it cannot be drawn. */
export function thumbCanvas(thumb, label) {
  const image = pixels(thumb);
  if (!image) return el("span", { class: "pg-muted", text: "?" });
  const canvas = el("canvas", { class: "pg-thumb", width: image.width, height: image.height, role: "img", "aria-label": label || "" });
  canvas.getContext("2d")?.putImageData(new ImageData(image.rgba, image.width, image.height), 0, 0);
  return canvas;
}
