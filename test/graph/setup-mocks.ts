import * as pulumi from "@pulumi/pulumi";
import { MockCloud } from "../../scripts/lib/mock-cloud";

// Mocks must be in place before any module registers resources; each synth in a test installs
// its own MockCloud again (see helpers.ts).
void pulumi.runtime.setMocks(new MockCloud("eu-west-1"), "jairouter", "test", false);
