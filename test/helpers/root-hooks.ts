import { ledger, securitySummary } from "./attack-ledger.js";
import { closeEmbeddedCosmos } from "./cosmos.js";

/** Mocha root hooks: shared servers started lazily by tests are stopped once at the end. */
export const mochaHooks = {
  async afterAll() {
    await closeEmbeddedCosmos();
    if (ledger.tried > 0) {
      console.log(`\n  ${securitySummary()}`);
      for (const finding of ledger.findings) console.log(`    ${finding}`);
    }
  },
};
