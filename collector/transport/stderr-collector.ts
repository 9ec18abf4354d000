export const stderrMaxBytes = 1024 * 1024;

/** Keeps the first 1 MiB of stderr: enough to explain a failure, bounded when a tool loops on errors. */
export class StderrCollector {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  add(chunk: Buffer): void {
    const room = stderrMaxBytes - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped === 0 ? text : `${text}\n[packetlens: ${this.dropped} more bytes of stderr not kept]`;
  }
}
