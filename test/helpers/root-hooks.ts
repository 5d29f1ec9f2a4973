import { ledger, securitySummary } from "./attack-ledger.js";
import { closeEmbeddedCosmos } from "./cosmos.js";
import { figures, totals } from "./reliability-ledger.js";

/** Mocha root hooks: shared servers started lazily by tests are stopped once at the end. */
export const mochaHooks = {
  async afterAll() {
    await closeEmbeddedCosmos();
    if (figures.length > 0) {
      console.log("\n  Reliability figures:");
      for (const line of figures) console.log(`    ${line}`);
      console.log(`  Reliability: lost ${totals.lost}, duplicated ${totals.duplicated}`);
    }
    if (ledger.tried > 0) {
      console.log(`\n  ${securitySummary()}`);
      for (const finding of ledger.findings) console.log(`    ${finding}`);
    }
  },
};
