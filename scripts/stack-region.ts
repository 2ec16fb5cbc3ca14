/**
 * Prints the AWS region a stack deploys to: `aws:region` in `Pulumi.<stack>.yaml`, the one place
 * that names it (the workflows read it from here instead of repeating it).
 * Usage: npm run --silent stack:region -- <stack>
 */
import { readStackFile } from "./lib/stack-file";

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The stack's `aws:region`; throws with a message naming the file when it is missing or malformed. */
export function stackRegion(stack: string, dir = process.cwd()): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`not a stack name: "${stack}"`);
  const { region } = readStackFile(stack, dir);
  if (!AWS_REGION.test(region))
    throw new Error(
      `Pulumi.${stack}.yaml: aws:region "${region}" is not an AWS region name (e.g. eu-west-1)`,
    );
  return region;
}

if (require.main === module) {
  const [stack, ...rest] = process.argv.slice(2);
  if (!stack || rest.length > 0) {
    console.error("usage: npm run --silent stack:region -- <stack>");
    process.exit(2);
  }
  try {
    console.log(stackRegion(stack));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
