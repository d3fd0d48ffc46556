import ipaddr from 'ipaddr.js';

/**
 * Why an address may not be fetched for a caller, or undefined when it may: only globally
 * routed unicast passes. Everything else (loopback, private, link-local with the cloud
 * metadata address 169.254.169.254, unique-local with fd00:ec2::254, carrier-grade NAT with
 * 100.100.100.200, multicast, unspecified, broadcast, reserved, and the IPv6 ranges that tunnel
 * or translate to IPv4: 6to4, Teredo, NAT64) reaches into the server's own network or
 * somewhere no image lives. An IPv4-mapped IPv6 address is judged as the IPv4 it maps to.
 */
export function refusedAddressReason(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.parse(address);
  const judged = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  const range = judged.range();
  return range === 'unicast' ? undefined : `${address} is ${range}`;
}
