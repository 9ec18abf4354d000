import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * JSON bodies are stored compressed, tagged with their codec so a later version may change it and
 * still read what is there. Brotli quality 5 keeps a 1,000-service kube-proxy snapshot (8.5 MB of
 * JSON) near 290 kB in about 60 ms; higher qualities gain a few percent for several times the time.
 */

/** The codec new bodies are written with; its name is stored beside each body. */
export const blobCodecWritten = 'br';

export function blobCompress(text: string): Buffer {
  const input = Buffer.from(text, 'utf8');
  return brotliCompressSync(input, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: input.length,
    },
  });
}

export function blobDecompress(codec: string, blob: Buffer): string {
  switch (codec) {
    case 'br':
      return brotliDecompressSync(blob).toString('utf8');
    default:
      throw new Error(`unknown body codec ${JSON.stringify(codec)}`);
  }
}
