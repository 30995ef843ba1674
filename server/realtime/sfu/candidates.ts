/**
 * Which remote ICE candidates the engine takes from a participant. Every candidate it takes is a
 * host and port it sends STUN connectivity checks to, so a guest could otherwise point the media
 * server at any UDP service. Taken: candidates on the participant's signalling address (their
 * WebSocket's remote address), on the loopback addresses when that address is loopback (a
 * browser on the server's own host may signal over ::1 and send media from 127.0.0.1), and on the
 * announced networks (MEDIA_CANDIDATE_NETWORKS: a LAN or VPN the hall serves). Everything else
 * is dropped; the connection still completes through the participant's own checks (the engine
 * learns their address as a peer-reflexive candidate, the way every browser behind NAT connects).
 */
import { BlockList, isIP } from 'node:net';

/** Decides, for one participant, which candidate addresses may be used. */
export type CandidatePolicy = (address: string) => boolean;

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) → `192.0.2.1`; others unchanged. */
function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m === null ? address.toLowerCase() : m[1]!;
}

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

function isLoopback(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}

/** Why a `MEDIA_CANDIDATE_NETWORKS` entry is not a CIDR (`192.168.0.0/16`, `fd00::/8`), if it is not. */
export function networkProblem(cidr: string): string | undefined {
  const [address = '', prefix, ...rest] = cidr.split('/');
  const f = family(address);
  if (f === undefined || prefix === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefix))
    return `${cidr} is not an address/prefix (e.g. 192.168.0.0/16)`;
  if (Number(prefix) > (f === 'ipv4' ? 32 : 128)) return `${cidr} has a prefix too long`;
  return undefined;
}

/** The announced networks as one matcher (throws on an entry networkProblem refuses). */
export function candidateNetworks(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const problem = networkProblem(cidr);
    if (problem !== undefined) throw new Error(problem);
    const [address, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), family(address));
  }
  return list;
}

/**
 * The policy for a participant who signals from `signallingAddress` (undefined when unknown:
 * then only the announced networks are taken).
 */
export function candidatePolicy(
  signallingAddress: string | undefined,
  networks: BlockList,
): CandidatePolicy {
  const own = signallingAddress === undefined ? undefined : plainAddress(signallingAddress);
  const loopback = own !== undefined && isLoopback(own);
  return (candidate) => {
    const address = plainAddress(candidate);
    const f = family(address);
    // A name (an mDNS `.local` one, or any other) is never resolved: it is not an address.
    if (f === undefined) return false;
    if (address === own) return true;
    if (loopback && (address === '127.0.0.1' || address === '::1')) return true;
    return networks.check(address, f);
  };
}

/**
 * Drops the `a=candidate` lines of an SDP (an offer or an answer from a participant) whose
 * address the policy refuses, so libdatachannel never checks them.
 */
export function keepAllowedCandidates(sdp: string, allowed: CandidatePolicy): string {
  const lines = sdp.split(/\r?\n/);
  const kept = lines.filter((line) => {
    if (!line.startsWith('a=candidate:')) return true;
    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
    const address = line.split(' ')[4];
    return address !== undefined && allowed(address);
  });
  return kept.length === lines.length ? sdp : kept.join('\r\n');
}
