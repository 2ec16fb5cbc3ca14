/**
 * A name AWS accepts for load balancers and target groups: letters, digits and hyphens, no hyphen
 * at either end, at most `max` characters. Stack names may hold `_` and `.`, which AWS refuses.
 */
export function awsName(base: string, suffix: string, max = 32): string {
  const room = max - suffix.length - 1;
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, room)
    .replace(/^-+|-+$/g, "");
  return `${cleaned}-${suffix}`;
}
