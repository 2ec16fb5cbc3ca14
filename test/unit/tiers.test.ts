import { describe, expect, it } from "vitest";
import { R2_1_FLOOR, R2_1_NETWORK_GBPS, R2_1_STORAGE_GB, ROLES, TIERS, TIER_TABLE } from "../../config/tiers";

describe("tier table (R2.1)", () => {
  for (const role of ROLES) {
    for (const tier of TIERS) {
      it(`${role}/${tier} meets the guide's floor`, () => {
        const spec = TIER_TABLE[role][tier];
        const floor = R2_1_FLOOR[role][tier];
        expect(spec.vcpu).toBeGreaterThanOrEqual(floor.vcpu);
        expect(spec.memoryGiB).toBeGreaterThanOrEqual(floor.memoryGiB);
        // Hosts, not the managed cache, carry the storage and network figures.
        if (role !== "database") {
          expect(spec.dataVolumeGiB).toBeGreaterThanOrEqual(R2_1_STORAGE_GB[tier]);
          expect(spec.networkGbps).toBeGreaterThanOrEqual(R2_1_NETWORK_GBPS[tier]);
          expect(spec.instanceType).toMatch(/^[a-z][a-z0-9]*\.[0-9]*x?large$/);
          expect(spec.dataVolumeIops).toBeGreaterThanOrEqual(3000);
          expect(spec.dataVolumeIops).toBeLessThanOrEqual(16000); // gp3 maximum
        } else {
          expect(spec.instanceType).toMatch(/^cache\./);
        }
      });
    }
  }

  it("grows with the tier for every role", () => {
    for (const role of ROLES) {
      const [a, b, c] = TIERS.map((t) => TIER_TABLE[role][t]);
      expect(a!.vcpu).toBeLessThan(b!.vcpu);
      expect(b!.vcpu).toBeLessThan(c!.vcpu);
    }
  });
});
