// Account bootstrap, run once per AWS account (bootstrap/README.md).
import { loadBootstrapSettings } from "./config";
import { buildBootstrap } from "./program";

export = buildBootstrap(loadBootstrapSettings());
