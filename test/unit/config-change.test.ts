import { describe, expect, it } from "vitest";
import { configOverrides, parseConfigChange } from "../../scripts/lib/config-change";

const stackConfig = {
  "aws:region": "eu-west-1",
  "jairouter:images": { jairouter: "sodlinken/jairouter:3.1.2", haproxy: "haproxy:2.8.14" },
  "jairouter:appServers": { count: 3 },
  "jairouter:models": { services: { chat: { instances: [{ name: "a" }] } } },
};

describe("--explain-change key=value", () => {
  it("puts keys without a namespace in jairouter: and parses the value as YAML", () => {
    expect(parseConfigChange("appServers.count=4")).toMatchObject({
      key: "jairouter:appServers",
      path: ["count"],
      value: 4,
    });
    expect(parseConfigChange("images.jairouter=sodlinken/jairouter:3.2.0").value).toBe(
      "sodlinken/jairouter:3.2.0",
    );
    expect(parseConfigChange("aws:region=eu-central-1")).toMatchObject({ key: "aws:region", path: [] });
    expect(parseConfigChange("appServers.corsAllowedOrigins=[https://a.example.com]").value).toEqual([
      "https://a.example.com",
    ]);
    expect(parseConfigChange("access.sshPublicKey=ssh-ed25519 AAAA new=").value).toBe(
      "ssh-ed25519 AAAA new=",
    );
  });

  it("rejects an argument without a key or with a malformed path", () => {
    expect(() => parseConfigChange("=4")).toThrow(/<key>=<value>/);
    expect(() => parseConfigChange("appServers..count=4")).toThrow(/not a property path/);
  });

  it("changes one path and keeps every sibling", () => {
    const overrides = configOverrides(stackConfig, [
      parseConfigChange("images.jairouter=sodlinken/jairouter:3.1.3"),
      parseConfigChange("images.nodeExporter=prom/node-exporter:v1.9.2"),
      parseConfigChange("models.services.chat.instances[1]={name: b}"),
    ]);
    expect(overrides).toEqual({
      "jairouter:images": {
        jairouter: "sodlinken/jairouter:3.1.3",
        haproxy: "haproxy:2.8.14",
        nodeExporter: "prom/node-exporter:v1.9.2",
      },
      "jairouter:models": { services: { chat: { instances: [{ name: "a" }, { name: "b" }] } } },
    });
    expect(stackConfig["jairouter:images"].jairouter).toBe("sodlinken/jairouter:3.1.2");
  });

  it("keeps the stack file's spelling of a key, removes a path set to null, and refuses to step into a scalar", () => {
    expect(
      configOverrides({ appServers: { count: 3, tier: "minimum" } }, [parseConfigChange("appServers.tier=")]),
    ).toEqual({ appServers: { count: 3 } });
    expect(() => configOverrides(stackConfig, [parseConfigChange("appServers.count.x=1")])).toThrow(
      /appServers\.count\.x=1: cannot set "x"/,
    );
  });
});
