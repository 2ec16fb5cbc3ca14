/** IAM statements that let a host read only its own role's SSM parameters. */
export function ownParametersStatement(parameterPrefix: string, role: string): Record<string, unknown> {
  return {
    Sid: "ReadOwnParameters",
    Effect: "Allow",
    Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
    Resource: `arn:aws:ssm:*:*:parameter${parameterPrefix}/${role}/*`,
  };
}
