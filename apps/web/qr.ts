/**
 * Cards as QR codes: drawn with qrcode onto a canvas, read from a photo
 * with jsqr (the camera API needs a secure context, a file input with
 * `capture` opens the camera on phones anyway). Card text forms are the
 * protocol's own (armor.ts, qr-text.ts).
 */
import QRCode from 'qrcode';
import jsQRModule from 'jsqr';
import { armor, dearmor, looksArmored } from '../../protocol/card/armor.ts';
import { fromQrText, looksLikeQrText, toQrText } from '../../protocol/card/qr-text.ts';

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
/** jsqr is CommonJS typed as an ES module: its function is the module itself or its default, by bundler. */
const jsQR: JsQr = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as unknown as JsQr;

export function cardTexts(bytes: Uint8Array): { qr: string; armored: string } {
  return { qr: toQrText(bytes), armored: armor('MEOW CARD', bytes) };
}

export async function drawQr(canvas: HTMLCanvasElement, text: string): Promise<void> {
  await QRCode.toCanvas(canvas, text, { errorCorrectionLevel: 'L', margin: 4, scale: 4 });
}

/** Card bytes from QR text or armored text; undefined when neither. */
export function cardFromText(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (looksLikeQrText(trimmed)) {
    const r = fromQrText(trimmed);
    return r.ok ? r.value : undefined;
  }
  if (looksArmored(trimmed)) {
    const r = dearmor(trimmed);
    return r.ok ? r.value.bytes : undefined;
  }
  return undefined;
}

/** The text of the first QR code found in a photo, scaled down first: phone photos are 12 Mpx. */
export async function readQrFromFile(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
  const w = Math.round(bitmap.width * scale);
  const h = Math.round(bitmap.height * scale);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0, w, h);
  const found = jsQR(ctx.getImageData(0, 0, w, h).data, w, h);
  return found?.data;
}
