import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig } from "./config";
import { buildStack } from "./stack";

function load() {
  try {
    return loadStackConfig();
  } catch (err) {
    // RunError prints the message alone, without a stack trace: the operator sees the list of keys.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

export = buildStack(load());
