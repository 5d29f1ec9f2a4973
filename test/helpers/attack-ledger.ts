import assert from "node:assert/strict";

/**
 * Every attack the security tests try: whether it was refused, and whether the store changed.
 * The suite ends with one summary line, and fails unless every attack was refused and nothing changed.
 */
export const ledger = { tried: 0, refused: 0, stateChanges: 0, findings: [] as string[] };

export const recordAttack = (name: string, refused: boolean, stateChanged: boolean) => {
  ledger.tried++;
  if (refused) ledger.refused++;
  else ledger.findings.push(`not refused: ${name}`);
  if (stateChanged) {
    ledger.stateChanges++;
    ledger.findings.push(`changed the store: ${name}`);
  }
};

/** Records a batch of generated attacks (fuzzing): how many were refused, and whether the store changed. */
export const recordAttacks = (name: string, tried: number, refused: number, stateChanged: boolean) => {
  ledger.tried += tried;
  ledger.refused += refused;
  if (refused < tried) ledger.findings.push(`not refused: ${tried - refused} of ${name}`);
  if (stateChanged) {
    ledger.stateChanges++;
    ledger.findings.push(`changed the store: ${name}`);
  }
};

/** Runs an attack between two store snapshots and records the outcome; asserts it was refused and changed nothing. */
export const attack = async (
  name: string,
  snapshot: () => Promise<string[]>,
  run: () => Promise<boolean>,
): Promise<void> => {
  const before = await snapshot();
  const refused = await run();
  const after = await snapshot();
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  recordAttack(name, refused, changed);
  assert.equal(refused, true, `${name}: not refused`);
  assert.equal(changed, false, `${name}: the store changed`);
};

export const securitySummary = () =>
  `Security: ${ledger.tried} attacks tried, ${ledger.refused} refused, ${ledger.stateChanges} state changes`;
