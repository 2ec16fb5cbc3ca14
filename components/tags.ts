/** Tags carried by every taggable resource, so cost reports and drift checks can find the stack. */
export interface StackIdentity {
  project: string;
  stack: string;
}

export function stackTags(identity: StackIdentity, role: string, extra: Record<string, string> = {}) {
  return { Project: identity.project, Stack: identity.stack, Role: role, ManagedBy: "pulumi", ...extra };
}
