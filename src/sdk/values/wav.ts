/**
 * WAV encoding of audio samples, as the Python SDK's `soundfile.write(...)` does for a `.wav`
 * file: 16-bit PCM (libsndfile's default subtype for WAV), little-endian, samples in [-1, 1]
 * scaled by 32767 (clipped). `channels` > 1: `samples` is interleaved frames.
 */
export function encodeWav(samples: ArrayLike<number>, rate: number, channels = 1): Buffer {
  if (!Number.isInteger(rate) || rate <= 0) throw new TypeError('Audio rate must be a positive integer.');
  if (!Number.isInteger(channels) || channels < 1 || samples.length % channels !== 0) {
    throw new TypeError('Audio samples must hold a whole number of frames.');
  }
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * channels * 2, 28); // byte rate
  out.writeUInt16LE(channels * 2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    const x = Number(samples[i]);
    const v = Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0;
    out.writeInt16LE(Math.round(v * 32767), 44 + i * 2);
  }
  return out;
}
