// Loads index.ts the way the Pulumi CLI's Node.js language host does (ts-node from the project,
// type-checking on, CommonJS), under the mock runtime, and prints the stack output names.
// Usage: node test/support/pulumi-entry.cjs <stack>
const path = require("node:path");
const root = path.resolve(__dirname, "../..");
require("ts-node").register({ project: path.join(root, "tsconfig.json"), typeCheck: true });
const pulumi = require("@pulumi/pulumi");
const { MockCloud } = require(path.join(root, "scripts/lib/mock-cloud.ts"));
const { readStackFile, withSynthSecrets } = require(path.join(root, "scripts/lib/stack-file.ts"));

async function main() {
  const stack = process.argv[2];
  const config = await withSynthSecrets(readStackFile(stack, root));
  await pulumi.runtime.setMocks(new MockCloud(config.region), "jairouter", stack, false);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  const outputs = require(path.join(root, "index.ts"));
  console.log(JSON.stringify(Object.keys(outputs).sort()));
}

main().catch((err) => {
  console.error(err && err.message ? err.message : err);
  process.exit(1);
});
