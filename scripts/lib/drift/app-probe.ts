// The read-only probe of one JAiRouter replica's admin API, run on its host over the deploy's SSH
// path against the app's own port (as the model sync step does): JWT login, then the health
// document and every service type's settings and instance list. Endpoints as in
// render/scripts/model-sync.ts. The password travels on stdin, never on a command line.
import { MODEL_SERVICE_TYPES } from "../../../render/model-routing";

export interface AppAnswer {
  /** False when the login was refused (the rest is then empty). */
  login: boolean;
  healthCode: number;
  health: Record<string, unknown> | null;
  /** Service type → `data` of GET /api/config/type/services/{type}, null when absent. */
  services: Record<string, Record<string, unknown> | null>;
  /** Service type → `data` of GET /api/config/instance/{type}, null when absent. */
  instances: Record<string, Record<string, unknown>[] | null>;
}

const quote = (v: string) => `'${v.replace(/'/g, `'"'"'`)}'`;

/** stdin of the app probe: the URL and password as variables, then the script. */
export function renderAppProbe(url: string, adminPassword: string): string {
  // one compound command: bash parses all of it before running any of it, and no command in it
  // can read the rest of the script from stdin (bash -s)
  return `{
export JAIROUTER_URL=${quote(url)}
export JAIROUTER_ADMIN_PASSWORD=${quote(adminPassword)}
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
get() { curl -sS --connect-timeout 5 --max-time 20 -H @"$work/headers" -o "$work/answer" -w '%{http_code}' "$JAIROUTER_URL$1" 2>/dev/null || echo 000; }
printf 'Accept: application/json\\n' >"$work/headers"
jq -n '{username: (env.JAIROUTER_ADMIN_USERNAME // "admin"), password: env.JAIROUTER_ADMIN_PASSWORD}' >"$work/login.json"
token=$(curl -sS --connect-timeout 5 --max-time 20 -H 'Content-Type: application/json' --data-binary @"$work/login.json" \\
  "$JAIROUTER_URL/api/auth/jwt/login" 2>/dev/null | jq -r '.data.token // empty' 2>/dev/null) || token=""
rm -f "$work/login.json"
if [ -n "$token" ]; then printf 'Accept: application/json\\nJairouter_Token: %s\\n' "$token" >"$work/headers"; fi
code=$(get /actuator/health)
if jq -e . "$work/answer" >/dev/null 2>&1; then cp "$work/answer" "$work/health"; else echo null >"$work/health"; fi
if [ -n "$token" ]; then
  for type in ${MODEL_SERVICE_TYPES.join(" ")}; do
    [ "$(get "/api/config/type/services/$type")" = 200 ] && mv "$work/answer" "$work/services.$type.json"
    [ "$(get "/api/config/instance/$type")" = 200 ] && mv "$work/answer" "$work/instances.$type.json"
  done
fi
# one jq for every answer: file services.chat.json holds the answer for (services, chat)
shopt -s nullglob
answers=("$work"/services.*.json "$work"/instances.*.json)
jq -cn --argjson login "$([ -n "$token" ] && echo true || echo false)" --argjson code "$code" --slurpfile h "$work/health" '
  def entry: (input_filename | split("/") | last | split(".")) as $n
    | {what: $n[0], type: $n[1], data: (if .success == false then null else .data end)};
  [inputs | entry] as $all
  | {login: $login, healthCode: $code, health: $h[0],
     services: ($all | map(select(.what == "services") | {(.type): .data}) | add // {}),
     instances: ($all | map(select(.what == "instances") | {(.type): .data}) | add // {})}' "\${answers[@]}"
} </dev/null
`;
}

/** Reads the app probe's one JSON line; fails with the start of the output otherwise. */
export function parseAppProbe(output: string): AppAnswer {
  const line = output.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(line) as AppAnswer;
    if (typeof parsed.login !== "boolean") throw new Error("no login field");
    return parsed;
  } catch {
    throw new Error(`the app probe did not answer with its JSON line: ${output.slice(0, 160)}`);
  }
}
