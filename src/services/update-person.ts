import { conflict, notFound } from "../domain/errors.js";
import type { Person } from "../domain/person.js";
import type { ServiceDeps } from "./deps.js";
import { PreconditionFailed, type Stored } from "./ports.js";

const ATTEMPTS = 5;

/**
 * Read-modify-write of a person with an ETag, re-reading on conflict. `change` returns the new person,
 * or null when nothing needs to change (which makes every caller idempotent).
 */
export const updatePerson = async (
  deps: ServiceDeps,
  personId: string,
  change: (person: Person) => Person | null,
  known?: Stored<Person>,
): Promise<Stored<Person>> => {
  let stored = known;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    stored ??= await deps.people.get(personId);
    if (!stored) throw notFound("No such person.", { personId });
    const next = change(stored.value);
    if (next === null) return stored;
    try {
      return await deps.people.replace({ ...next, updatedAt: deps.clock.now().toISOString() }, stored.etag);
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
      stored = undefined;
    }
  }
  throw conflict("This person is being changed by someone else right now; try again.", { personId });
};
