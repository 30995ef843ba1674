/**
 * A short per-track history of forwarded packets, indexed by RTP sequence number, from which the
 * engine answers subscribers' NACKs. A ring of `size` slots (a power of two): a packet lives
 * until a packet `size` sequence numbers later overwrites its slot. Stores references, no copies.
 */
export class PacketHistory {
  private readonly mask: number;
  private readonly seqs: Int32Array;
  private readonly packets: (Buffer | undefined)[];

  constructor(size = 512) {
    if (size < 1 || (size & (size - 1)) !== 0)
      throw new Error('history size must be a power of two');
    this.mask = size - 1;
    this.seqs = new Int32Array(size).fill(-1);
    this.packets = new Array<Buffer | undefined>(size).fill(undefined);
  }

  put(seq: number, packet: Buffer): void {
    const i = seq & this.mask;
    this.seqs[i] = seq & 0xffff;
    this.packets[i] = packet;
  }

  get(seq: number): Buffer | undefined {
    const i = seq & this.mask;
    return this.seqs[i] === (seq & 0xffff) ? this.packets[i] : undefined;
  }

  clear(): void {
    this.seqs.fill(-1);
    this.packets.fill(undefined);
  }
}
