/**
 * Image plots: the file's own bytes say what it is (a `.png` that is really
 * text is an error on that plot, not a broken picture). SVG is shown only
 * through <img> or a data: URI, where its scripts never run.
 */
import type { ImagePlotData } from './types';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function imageMime(bytes: Buffer): ImagePlotData['mime'] | undefined {
  if (bytes.length >= 8 && PNG.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  // XML declaration, comments and a doctype may come before the root element.
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

export function describeStart(bytes: Buffer): string {
  if (bytes.length === 0) return 'it is empty';
  const text = bytes.subarray(0, 16).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `it starts with "${text}"`;
}
