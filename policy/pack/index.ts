// CrossGuard pack over the same rules the tests apply: `pulumi preview --policy-pack policy/pack`.
import { PolicyPack } from "@pulumi/policy";
import { POLICY_RULES, type ResourceProps } from "../rules";

new PolicyPack("jairouter", {
  policies: POLICY_RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory" as const,
    validateResource: (args, reportViolation) => {
      for (const violation of rule.check(args.type, args.props as ResourceProps)) reportViolation(violation);
    },
  })),
});
