// The AWS region of a stack, read from its Pulumi.<stack>.yaml (`aws:region`). Also a command:
// `tsx scripts/lib/drift/stack-region.ts <stack>` prints it (the drift workflow's AWS login).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export function regionOf(stackYaml: string, file = "the stack file"): string {
  const doc = parse(stackYaml) as { config?: Record<string, unknown> } | null;
  const region = doc?.config?.["aws:region"];
  if (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new Error(
      `${file}: config key aws:region is missing or not a region (set it with \`pulumi config set aws:region eu-west-1\`)`,
    );
  }
  return region;
}

export function stackRegion(stack: string, dir = process.cwd()): string {
  const file = `Pulumi.${stack}.yaml`;
  let text: string;
  try {
    text = readFileSync(join(dir, file), "utf8");
  } catch {
    throw new Error(`${file} not found: name a stack that has a stack file (e.g. prod, staging)`);
  }
  return regionOf(text, file);
}

if (require.main === module) {
  try {
    const stack = process.argv[2];
    if (!stack) throw new Error("usage: tsx scripts/lib/drift/stack-region.ts <stack>");
    console.log(stackRegion(stack));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
