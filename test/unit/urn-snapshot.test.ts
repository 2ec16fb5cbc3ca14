import { describe, expect, it } from "vitest";
import {
  addedUrnsMessage,
  aliasUrns,
  compareWithSnapshot,
  createUrn,
  formatSnapshot,
  missingUrnsMessage,
  parseSnapshot,
  parseUrn,
  type AliasContext,
} from "../../scripts/lib/urn-snapshot";

const P = "urn:pulumi:prod::jairouter::";
const CLUSTER = `${P}jairouter:app:AppCluster::jr-prod`;
const HOST = `${P}jairouter:app:AppCluster$jairouter:compute:Host::jr-prod-app-0`;
const VOLUME = `${P}jairouter:app:AppCluster$jairouter:compute:Host$aws:ebs/volume:Volume::jr-prod-app-0-data`;

describe("createUrn and parseUrn", () => {
  it("put the whole parent type chain before the type, and leave the root stack out", () => {
    expect(
      createUrn({
        name: "jr-prod-app-0",
        type: "jairouter:compute:Host",
        parent: CLUSTER,
        project: "jairouter",
        stack: "prod",
      }),
    ).toBe(HOST);
    expect(
      createUrn({
        name: "jr-prod-app-0-data",
        type: "aws:ebs/volume:Volume",
        parent: HOST,
        project: "jairouter",
        stack: "prod",
      }),
    ).toBe(VOLUME);
    const root = `${P}pulumi:pulumi:Stack::jairouter-prod`;
    expect(
      createUrn({
        name: "v",
        type: "aws:ebs/volume:Volume",
        parent: root,
        project: "jairouter",
        stack: "prod",
      }),
    ).toBe(`${P}aws:ebs/volume:Volume::v`);
  });

  it("read the parts back, a name with `::` included", () => {
    expect(parseUrn(VOLUME)).toEqual({
      stack: "prod",
      project: "jairouter",
      qualifiedType: "jairouter:app:AppCluster$jairouter:compute:Host$aws:ebs/volume:Volume",
      type: "aws:ebs/volume:Volume",
      name: "jr-prod-app-0-data",
    });
    expect(parseUrn(`${P}a:b:C::x::y`).name).toBe("x::y");
  });
});

describe("aliasUrns", () => {
  const known = new Map<string, string[]>();
  const ctx = (over: Partial<AliasContext>): AliasContext => ({
    name: "jr-prod-app-0-data",
    type: "aws:ebs/volume:Volume",
    parent: HOST,
    project: "jairouter",
    stack: "prod",
    aliasesOf: (urn) => known.get(urn) ?? [],
    ...over,
  });

  it("fills a spec with the resource's own name, type and parent", () => {
    expect(aliasUrns([{ name: "old-data", parentUrn: HOST }], ctx({}))).toEqual([
      `${P}jairouter:app:AppCluster$jairouter:compute:Host$aws:ebs/volume:Volume::old-data`,
    ]);
    expect(aliasUrns([{ noParent: true }], ctx({}))).toEqual([
      `${P}aws:ebs/volume:Volume::jr-prod-app-0-data`,
    ]);
    expect(aliasUrns([{ type: "aws:ebs/oldVolume:OldVolume", parentUrn: HOST }], ctx({}))).toEqual([
      `${P}jairouter:app:AppCluster$jairouter:compute:Host$aws:ebs/oldVolume:OldVolume::jr-prod-app-0-data`,
    ]);
    expect(aliasUrns([{ urn: "urn:pulumi:prod::jairouter::x:y:Z::w" }], ctx({}))).toEqual([
      "urn:pulumi:prod::jairouter::x:y:Z::w",
    ]);
  });

  it("moves a child along with its parent: a Host that left its cluster brings its volume's old URN", () => {
    const movedHost = `${P}jairouter:compute:Host::jr-prod-app-0`;
    known.set(movedHost, [HOST]);
    const volume = ctx({ parent: movedHost });
    expect(aliasUrns([], volume)).toEqual([VOLUME]);
    known.clear();
  });

  it("renames a child named after a renamed parent", () => {
    const renamed = `${P}jairouter:app:AppCluster$jairouter:compute:Host::jr-prod-api-0`;
    known.set(renamed, [HOST]);
    expect(aliasUrns([], ctx({ name: "jr-prod-api-0-data", parent: renamed }))).toEqual([VOLUME]);
    known.clear();
  });

  it("leaves out the resource's own URN", () => {
    expect(aliasUrns([{ parentUrn: HOST }], ctx({}))).toEqual([]);
  });
});

describe("compareWithSnapshot", () => {
  const snapshot = [CLUSTER, HOST, VOLUME];

  it("passes an unchanged stack", () => {
    expect(
      compareWithSnapshot(
        snapshot,
        snapshot.map((urn) => ({ urn })),
      ),
    ).toEqual({ missing: [], aliased: [], added: [] });
  });

  it("reports a snapshot URN that is gone as missing", () => {
    const result = compareWithSnapshot(snapshot, [{ urn: CLUSTER }, { urn: HOST }]);
    expect(result.missing).toEqual([VOLUME]);
    expect(missingUrnsMessage("prod", result.missing)).toContain(VOLUME);
    expect(missingUrnsMessage("prod", result.missing)).toContain(
      "a live stack would delete and recreate it (a protected data volume stops the update): add an alias, or if the removal is deliberate run `npm run urns` and commit",
    );
  });

  it("accepts a gone URN that an alias carries over, and reports the new URN as added", () => {
    const moved = `${P}jairouter:compute:Host$aws:ebs/volume:Volume::jr-prod-app-0-data`;
    const result = compareWithSnapshot(snapshot, [
      { urn: CLUSTER },
      { urn: HOST },
      { urn: moved, aliases: [VOLUME] },
    ]);
    expect(result).toEqual({ missing: [], aliased: [{ urn: VOLUME, by: moved }], added: [moved] });
    expect(addedUrnsMessage("prod", result.added)).toContain(moved);
    expect(addedUrnsMessage("prod", result.added)).toContain("run `npm run urns` and commit");
  });

  it("reports a new resource as added", () => {
    const extra = `${P}aws:s3/bucket:Bucket::jr-prod-extra`;
    expect(
      compareWithSnapshot(
        snapshot,
        [...snapshot, extra].map((urn) => ({ urn })),
      ).added,
    ).toEqual([extra]);
  });
});

describe("snapshot files", () => {
  it("are sorted, one URN per line, and read back", () => {
    const text = formatSnapshot([VOLUME, CLUSTER, HOST, CLUSTER]);
    expect(text).toBe(`${[CLUSTER, HOST, VOLUME].sort().join("\n")}\n`);
    expect(parseSnapshot(text)).toEqual([CLUSTER, HOST, VOLUME].sort());
  });
});
