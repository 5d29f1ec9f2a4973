import assert from "node:assert/strict";
import { DomainError } from "./errors.js";
import { cleanText } from "./text.js";

const refusal = (field: string, fragment: string) => (e: unknown) =>
  e instanceof DomainError && e.code === "invalid" && e.details.field === field && e.message.includes(fragment);

describe("free text from people", () => {
  const rule = { min: 1, max: 500 };

  it("trims and normalises line ends", () => {
    assert.equal(
      cleanText("Justification", "  I run the desk\r\nfor Fabrikam  ", rule),
      "I run the desk\nfor Fabrikam",
    );
  });

  it("counts characters, not UTF-16 units, against the limit", () => {
    assert.equal(cleanText("Justification", "👍".repeat(500), rule).length, 1000);
    assert.throws(() => cleanText("Justification", "👍".repeat(501), rule), refusal("Justification", "501"));
  });

  it("refuses empty, non-text, control characters and direction overrides, naming the field", () => {
    assert.throws(() => cleanText("Justification", "   ", rule), refusal("Justification", "required"));
    assert.throws(() => cleanText("Justification", undefined, rule), refusal("Justification", "required"));
    assert.throws(() => cleanText("Justification", { text: "x" }, rule), refusal("Justification", "must be text"));
    assert.throws(() => cleanText("Reason", "ok\u0000", rule), refusal("Reason", "control"));
    assert.throws(() => cleanText("Reason", "admin\u202Etxt.exe", rule), refusal("Reason", "control"));
  });

  it("allows an empty optional text", () => {
    assert.equal(cleanText("Comment", undefined, { min: 0, max: 10 }), "");
  });
});
