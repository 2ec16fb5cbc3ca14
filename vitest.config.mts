import { defineConfig } from "vitest/config";

// Three projects: fast pure tests, the Pulumi graph under mocks (setMocks must run before the
// program is imported, hence the setup file), and slow end-to-end tests that start real daemons.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/render/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "graph",
          include: ["test/graph/**/*.test.ts"],
          setupFiles: ["test/graph/setup-mocks.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // daemons bind fixed loopback addresses: one file at a time
          fileParallelism: false,
        },
      },
    ],
  },
});
