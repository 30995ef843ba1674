/**
 * A short per-track history of forwarded packets, indexed by RTP sequence number, from which the
 * engine answers subscribers' NACKs. `size` slots (a power of two) index a ring of bytes that the
 * packets are copied into: a packet lives until a packet `size` sequence numbers later takes its
 * slot, or until newer packets have overwritten its bytes.
 *
 * It copies instead of keeping the Buffers it is given: a kept Buffer lives for seconds, so every
 * video packet would survive V8's young-generation collections and be promoted, and the old
 * generation's collections then stalled the forwarding loop (at 50 participants the SFU's own p99
 * delay on the wire was 18 ms with kept Buffers, 6 ms without; docs/benchmarks.md).
 */
export class PacketHistory {
  private readonly mask: number;
  private readonly seqs: Int32Array;
  /** Where each slot's packet starts, counted in bytes ever written (exact up to 2^53). */
  private readonly starts: Float64Array;
  private readonly lengths: Uint16Array;
  /** Allocated at the first packet: a publication that never sends costs no ring. */
  private bytes: Buffer | undefined;
  private readonly capacity: number;
  private written = 0;

  /** `capacityBytes` defaults to 1,200 bytes a slot (a browser's video packets are at most ~1,200). */
  constructor(size = 512, capacityBytes = size * 1200) {
    if (size < 1 || (size & (size - 1)) !== 0)
      throw new Error('history size must be a power of two');
    if (!Number.isInteger(capacityBytes) || capacityBytes < 1)
      throw new Error('history capacity must be a positive integer');
    this.mask = size - 1;
    this.seqs = new Int32Array(size).fill(-1);
    this.starts = new Float64Array(size);
    this.lengths = new Uint16Array(size);
    this.capacity = capacityBytes;
  }

  /** Copies the packet in (a packet longer than the ring or than 65,535 bytes is not kept). */
  put(seq: number, packet: Buffer): void {
    const i = seq & this.mask;
    const len = packet.length;
    const cap = this.capacity;
    // Not from Node's shared pool, and not zeroed: pages are touched only as packets arrive.
    const bytes = (this.bytes ??= Buffer.allocUnsafeSlow(cap));
    if (len > cap || len > 0xffff) {
      this.seqs[i] = -1;
      return;
    }
    let pos = this.written % cap;
    if (pos + len > cap) {
      // Not enough room before the end: skip the tail and start again at 0.
      this.written += cap - pos;
      pos = 0;
    }
    packet.copy(bytes, pos);
    this.seqs[i] = seq & 0xffff;
    this.starts[i] = this.written;
    this.lengths[i] = len;
    this.written += len;
  }

  /**
   * The packet with this sequence number, as a view into the ring: valid until the next `put`, so
   * send it at once.
   */
  get(seq: number): Buffer | undefined {
    const i = seq & this.mask;
    if (this.seqs[i] !== (seq & 0xffff) || this.bytes === undefined) return undefined;
    const start = this.starts[i]!;
    // Its bytes are overwritten as soon as writing has gone a whole ring past its start.
    if (this.written - start > this.capacity) return undefined;
    const pos = start % this.capacity;
    return this.bytes.subarray(pos, pos + this.lengths[i]!);
  }

  clear(): void {
    this.seqs.fill(-1);
  }
}
