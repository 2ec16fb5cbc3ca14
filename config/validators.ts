/** Small, dependency-free validators shared by the schema and the cross-field rules. */

export interface ParsedCidr {
  address: number; // unsigned 32-bit network address
  prefix: number;
}

/** Parses an IPv4 CIDR; returns an error sentence instead of throwing. */
export function parseIpv4Cidr(value: string): ParsedCidr | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return "is not an IPv4 CIDR block (a.b.c.d/n)";
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return "has an octet above 255";
  const prefix = Number(m[5]);
  if (prefix > 32) return `has prefix /${prefix}; an IPv4 prefix is /0 to /32`;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    return `has host bits set; the network address is ${formatIpv4(address - (address % hostBits))}/${prefix}`;
  }
  return { address, prefix };
}

export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** Splits a CIDR into 2^extraBits equal blocks, in address order. */
export function subdivideCidr(cidr: string, extraBits: number): string[] {
  const parsed = parseIpv4Cidr(cidr);
  if (typeof parsed === "string") throw new Error(`${cidr} ${parsed}`);
  const prefix = parsed.prefix + extraBits;
  const size = 2 ** (32 - prefix);
  return Array.from(
    { length: 2 ** extraBits },
    (_, i) => `${formatIpv4(parsed.address + i * size)}/${prefix}`,
  );
}

export function cidrContains(outer: string, inner: string): boolean {
  const o = parseIpv4Cidr(outer);
  const i = parseIpv4Cidr(inner);
  if (typeof o === "string" || typeof i === "string") return false;
  const size = 2 ** (32 - o.prefix);
  return i.prefix >= o.prefix && i.address >= o.address && i.address < o.address + size;
}

/**
 * Checks a container image reference is pinned: `repo:tag` (not `latest`), optionally with an
 * `@sha256:` digest, or a bare digest. Returns an error sentence or undefined.
 */
export function imagePinProblem(ref: string): string | undefined {
  const [nameAndTag, digest] = ref.split("@", 2);
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) return "has a malformed @sha256 digest";
  const lastSlash = nameAndTag!.lastIndexOf("/");
  const colon = nameAndTag!.indexOf(":", lastSlash + 1);
  const name = colon === -1 ? nameAndTag! : nameAndTag!.slice(0, colon);
  const tag = colon === -1 ? undefined : nameAndTag!.slice(colon + 1);
  if (!/^[a-z0-9]+([._/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(name)) {
    return "is not a valid image name";
  }
  if (name === "latest" && tag === undefined)
    return "is only the moving tag `latest`: name the image and pin an exact version";
  if (tag === undefined && digest === undefined) return "has no tag: pin an exact version";
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return "has an invalid tag";
  if (tag === "latest") return "uses the moving tag `latest`: pin an exact version";
  return undefined;
}

/** The version part of an image tag as [major, minor, patch], or undefined when not semver-like. */
export function imageVersion(ref: string): [number, number, number] | undefined {
  const tag = /:([^/@]+)(@|$)/.exec(ref)?.[1];
  const m = tag && /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function versionAtLeast(v: [number, number, number], min: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== min[i]!) return v[i]! > min[i]!;
  }
  return true;
}

const LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
export const FQDN_PATTERN = new RegExp(`^(?=.{1,253}$)(${LABEL}\\.)+[a-z]{2,63}$`);
