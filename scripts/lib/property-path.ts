/** One step into a value: an object key or an array index. */
export type PathSegment = string | number;

/**
 * Parses a property path as `pulumi config set --path` and resource options (`ignoreChanges`,
 * `replaceOnChanges`) write it: `a.b[0].c`, `a["key.with.dots"]`, `tags[*]`.
 */
export function parsePropertyPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  // A name (after the start or a dot), an index or `*` in brackets, or a quoted key in brackets.
  const step = /(?:^|\.)([^.[\]"]+)|\[(\d+|\*)\]|\["([^"]*)"\]/y;
  while (step.lastIndex < path.length) {
    const match = path.startsWith(".") ? null : step.exec(path);
    if (!match) throw new Error(`"${path}" is not a property path (write it like a.b[0].c)`);
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(match[2] === "*" ? "*" : Number(match[2]));
    else segments.push(match[3]!);
  }
  if (segments.length === 0) throw new Error("an empty property path");
  return segments;
}

type Container = Record<PathSegment, unknown>;

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

/** The value at `path`, or undefined when any step is missing. */
export function getAtPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (!isContainer(current)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * A copy of `root` with `value` at `path` (undefined deletes it), creating objects (or arrays, for
 * a numeric next step) on the way. Fails when a step runs into a scalar.
 */
export function setAtPath(root: unknown, path: readonly PathSegment[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (root !== undefined && !isContainer(root))
    throw new Error(`cannot set "${String(head)}" inside the value ${JSON.stringify(root)}`);
  const base = root ?? (typeof head === "number" ? [] : {});
  const copy = (Array.isArray(base) ? [...base] : { ...base }) as Container;
  const child = setAtPath(copy[head], rest, value);
  if (child !== undefined) copy[head] = child;
  else if (Array.isArray(copy) && typeof head === "number") copy.splice(head, 1);
  else delete copy[head];
  return copy;
}
