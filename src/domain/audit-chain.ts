import { createHash } from "node:crypto";
import type { AuditEvent } from "./audit.js";

/** The previous hash of the first event in a chain. */
export const GENESIS = "0".repeat(64);

/** An audit event in its chain: its place, the hash of the one before, and its own hash. */
export type ChainedAuditEvent = AuditEvent & { seq: number; prevHash: string; hash: string };

/** JSON with object keys sorted at every level and no whitespace: the same value always gives the same text. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
};

/** SHA-256 over the canonical JSON of everything in the event except its own hash. */
export const hashOf = (event: Omit<ChainedAuditEvent, "hash"> & { hash?: string }): string => {
  const { hash: _ignored, ...content } = event;
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
};

/** Links an event after the chain's current head. */
export const chain = (event: AuditEvent, head: { seq: number; hash: string }): ChainedAuditEvent => {
  const linked = { ...event, seq: head.seq + 1, prevHash: head.hash };
  return { ...linked, hash: hashOf(linked) };
};

export type ChainProblem = {
  chain: string;
  seq: number | null;
  id: string | null;
  kind: "edited" | "missing" | "reordered";
  detail: string;
};

/**
 * Checks one chain: events in stored order of `seq` must run 1, 2, 3 …, each one's hash must match its
 * content, each must point at the hash of the one before, and the last must be the chain's recorded head.
 */
export const verifyChain = (
  chainId: string,
  events: readonly ChainedAuditEvent[],
  head: { seq: number; hash: string } | null,
): ChainProblem[] => {
  const problems: ChainProblem[] = [];
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  let expectedSeq = 1;
  let prev: ChainedAuditEvent | null = null;
  for (const e of sorted) {
    if (hashOf(e) !== e.hash)
      problems.push({
        chain: chainId,
        seq: e.seq,
        id: e.id,
        kind: "edited",
        detail: "its content does not match its hash",
      });
    if (e.seq > expectedSeq) {
      problems.push({
        chain: chainId,
        seq: expectedSeq,
        id: null,
        kind: "missing",
        detail: `events ${expectedSeq}–${e.seq - 1} are missing`,
      });
    } else if (e.seq < expectedSeq) {
      problems.push({
        chain: chainId,
        seq: e.seq,
        id: e.id,
        kind: "reordered",
        detail: `sequence ${e.seq} appears twice`,
      });
    }
    const expectedPrev = prev ? prev.hash : GENESIS;
    if (e.prevHash !== expectedPrev && (prev === null || e.seq === prev.seq + 1)) {
      problems.push({
        chain: chainId,
        seq: e.seq,
        id: e.id,
        kind: "reordered",
        detail: "it does not follow the event before it",
      });
    }
    expectedSeq = Math.max(expectedSeq, e.seq + 1);
    prev = e;
  }
  if (head) {
    if (head.seq > (prev?.seq ?? 0)) {
      problems.push({
        chain: chainId,
        seq: head.seq,
        id: null,
        kind: "missing",
        detail: `the chain should end at ${head.seq}, its last event is ${prev?.seq ?? 0}`,
      });
    } else if (prev && head.seq === prev.seq && head.hash !== prev.hash) {
      problems.push({
        chain: chainId,
        seq: prev.seq,
        id: prev.id,
        kind: "edited",
        detail: "the last event is not the one the chain recorded",
      });
    }
  }
  return problems;
};
