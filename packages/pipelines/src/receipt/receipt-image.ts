import { UnfoldError } from '@unfold/protocol';

/** Limits on a receipt image, checked before a run is created. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 40_000_000;

export interface ReceiptImage {
  bytes: Buffer;
  type: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || bytes.toString('ascii', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Walks JPEG markers to the frame header (SOF0–SOF15 but DHT, JPG and DAC). */
function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] as number;
    const length = bytes.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

/**
 * Checks that bytes are a JPEG or PNG of a size OCR can take, from the header alone, so
 * a corrupt, empty, foreign or huge file is refused up front and never reaches a worker.
 */
export function readReceiptImage(bytes: Buffer): ReceiptImage {
  if (bytes.length === 0) throw new UnfoldError('invalid_image', 'the image is empty');
  if (bytes.length > MAX_IMAGE_BYTES) throw new UnfoldError('image_too_large', `the image is ${bytes.length} bytes; the limit is ${MAX_IMAGE_BYTES}`);
  const isPng = bytes.length > 8 && bytes.readUInt32BE(0) === 0x89504e47;
  const isJpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) throw new UnfoldError('invalid_image', 'the file is not a JPEG or PNG image');
  const size = isPng ? pngSize(bytes) : jpegSize(bytes);
  if (!size || size.width === 0 || size.height === 0) throw new UnfoldError('invalid_image', `the ${isPng ? 'PNG' : 'JPEG'} header is damaged or the image is empty`);
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new UnfoldError('image_too_large', `the image is ${size.width}×${size.height} (${Math.round((size.width * size.height) / 1e6)} MP); the limit is ${MAX_IMAGE_PIXELS / 1e6} MP`);
  }
  return { bytes, type: isPng ? 'image/png' : 'image/jpeg', ...size };
}
