// Classes each planned step (review-step.ts) as safe, restarts a service, interrupts traffic, or
// replaces or deletes state; names the property that forces it and what the stack's own rollout
// does about it; apart from the class, the in-place updates AWS refuses (blocked.ts). Pure: the
// same function reads a real preview and a synth diff.
import { blockedUpdates, type BlockedUpdate } from "./blocked";
import {
  COMMAND_RULES,
  RISK_CLASSES,
  RISK_RULES,
  UNKNOWN_TYPE_RULE,
  type RiskClass,
  type RiskRule,
} from "./risk-rules";
import type { ReviewStep } from "./review-step";

export interface ClassifiedStep {
  step: ReviewStep;
  risk: RiskClass;
  /** What the resource holds or carries. */
  holds: string;
  /** The properties that force the replacement or make the update disruptive. */
  forcedBy: string[];
  /** What the provider does, when an in-place update disrupts. */
  effect?: string;
  /** What the stack's own rollout does about it; empty when nothing does. */
  stackAnswer: string[];
  /** Updates AWS refuses: `pulumi up` fails at this step. Empty for almost every step. */
  blocked: BlockedUpdate[];
}

const COMMAND_TYPE = /^command:/;
const APP_CONTAINER = /-app-\d+-jairouter$/;
const PROXY_CONTAINER = /-lb-\d+-(haproxy|nginx)$/;
const APP_HOST = /-app-\d+$/;
const PROXY_HOST = /-lb-\d+$/;
const INSTANCE = "aws:ec2/instance:Instance";
const CONTAINER = "docker:index/container:Container";
const VOLUME = "aws:ebs/volume:Volume";

const DRAINED_ROLLOUT =
  "drained rollout: the server leaves rotation on both proxies, its in-flight requests finish, and it returns after its health check, one host at a time (components/rotation.ts)";
const IN_PLACE_RELOAD =
  "in-place reload: the running proxy validates the new configuration and reloads without dropping connections, the standby only after the primary serves again (load-balancer-pair.ts)";
const ONE_PROXY_AT_A_TIME =
  "one proxy at a time: the standby's turn comes after this proxy serves and the NLB has it in service (load-balancer-pair.ts); connections on it end at its stop grace";

function ruleOf(step: ReviewStep): RiskRule {
  if (COMMAND_TYPE.test(step.type)) {
    const rule = COMMAND_RULES.find((r) => r.name.test(step.name))!;
    return { holds: rule.holds, replace: rule.risk, delete: rule.risk, updates: [] };
  }
  return RISK_RULES[step.type] ?? UNKNOWN_TYPE_RULE;
}

/** Serving containers (the app, the proxies) take traffic with them when they go for good. */
function deleteRisk(step: ReviewStep, rule: RiskRule): RiskClass {
  if (step.type === CONTAINER && (APP_CONTAINER.test(step.name) || PROXY_CONTAINER.test(step.name)))
    return "traffic";
  return rule.delete;
}

function classOf(step: ReviewStep, rule: RiskRule): { risk: RiskClass; forcedBy: string[]; effect?: string } {
  if (step.component || step.op === "create") return { risk: "safe", forcedBy: [] };
  if (step.op === "delete") return { risk: deleteRisk(step, rule), forcedBy: ["(removed from the program)"] };
  if (step.op === "replace") {
    const forcedBy = step.replaceReasons.length > 0 ? step.replaceReasons : step.diffReasons;
    return { risk: rule.replace, forcedBy };
  }
  // An in-place update: a command runs again whatever changed; other types by the properties.
  if (COMMAND_TYPE.test(step.type)) return { risk: rule.replace, forcedBy: step.diffReasons };
  for (const update of rule.updates ?? []) {
    const hit = step.diffReasons.filter((p) => update.properties.includes(p));
    if (hit.length > 0) return { risk: update.risk, forcedBy: hit, effect: update.effect };
  }
  return { risk: "safe", forcedBy: step.diffReasons };
}

/** What the stack itself does about this step, from the resource's options and its place. */
function stackAnswer(step: ReviewStep, risk: RiskClass): string[] {
  const answers: string[] = [];
  const goes = step.op === "replace" || step.op === "delete";
  if (goes && step.protect) answers.push("protected: the step fails until the protection is lifted");
  if (goes && step.retainOnDelete)
    answers.push("retainOnDelete: the old resource stays in the account, only the stack forgets it");
  if (step.op === "replace" && step.deleteBeforeReplace)
    answers.push("delete before replace: the old one goes first (a fixed name or address)");
  if (risk === "safe") return answers;
  if (step.type === CONTAINER && APP_CONTAINER.test(step.name)) answers.push(DRAINED_ROLLOUT);
  if (step.type === CONTAINER && PROXY_CONTAINER.test(step.name)) answers.push(ONE_PROXY_AT_A_TIME);
  if (step.type === CONTAINER && !APP_CONTAINER.test(step.name) && !PROXY_CONTAINER.test(step.name))
    answers.push("serves no client traffic (monitoring or an exporter): a gap in metrics or alerts only");
  if (COMMAND_TYPE.test(step.type) && /-activate$/.test(step.name)) answers.push(IN_PLACE_RELOAD);
  if (COMMAND_TYPE.test(step.type) && /-rotation$/.test(step.name)) answers.push(DRAINED_ROLLOUT);
  if (step.type === INSTANCE && APP_HOST.test(step.name))
    answers.push(
      "one host at a time: each is replaced or resized only after the previous one serves again (components/app-cluster.ts)",
      step.op === "replace"
        ? "drained rollout: the host's app container leaves rotation before the host goes; its data volume is re-attached"
        : "no drain before the stop: the proxies' health checks take the host out of rotation while it is stopped",
    );
  if (step.type === INSTANCE && PROXY_HOST.test(step.name))
    answers.push("the other proxy serves; the NLB's health check moves clients to it");
  if (step.type === "aws:lb/targetGroupAttachment:TargetGroupAttachment")
    answers.push("the NLB drains the old registration (deregistration delay) and health-checks the new one");
  if (step.type === VOLUME && step.op === "update")
    answers.push("resized in place (ModifyVolume); the host's ready gate grows the filesystem");
  return answers;
}

export function classifyStep(step: ReviewStep): ClassifiedStep {
  const rule = ruleOf(step);
  const { risk, forcedBy, effect } = classOf(step, rule);
  return {
    step,
    risk,
    holds: rule.holds,
    forcedBy,
    ...(effect ? { effect } : {}),
    stackAnswer: stackAnswer(step, risk),
    blocked: blockedUpdates(step),
  };
}

/** Every step classed: the ones that will fail first, then most disruptive first (the steps' own order within a class). */
export function classifySteps(steps: readonly ReviewStep[]): ClassifiedStep[] {
  const rank = (c: ClassifiedStep) => RISK_CLASSES.indexOf(c.risk);
  const fails = (c: ClassifiedStep) => (c.blocked.length > 0 ? 0 : 1);
  return steps
    .map(classifyStep)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => fails(a.c) - fails(b.c) || rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

export function countByClass(classified: readonly ClassifiedStep[]): Record<RiskClass, number> {
  const counts = Object.fromEntries(RISK_CLASSES.map((r) => [r, 0])) as Record<RiskClass, number>;
  for (const c of classified) counts[c.risk]++;
  return counts;
}

/** The steps `pulumi up` would fail at. */
export const willFail = (classified: readonly ClassifiedStep[]) =>
  classified.filter((c) => c.blocked.length > 0);
