import { notAllowed } from "../domain/errors.js";
import { personIdFor, type Identity, type Person } from "../domain/person.js";
import type { ServiceDeps } from "./deps.js";
import type { Stored } from "./ports.js";

/** Refuses identities from directories that are not allowed to use the app. */
export const checkDirectory = (deps: ServiceDeps, identity: Identity): void => {
  if (!deps.policy.allowedDirectoryIds.includes(identity.directoryId.toLowerCase())) {
    throw notAllowed("Your organisation is not allowed to use Access Desk.", {
      reason: "foreign-directory",
      directoryId: identity.directoryId,
    });
  }
};

/** True when configuration names this identity (object id or UPN) as an initial MSP Admin. */
export const isInitialAdmin = (deps: ServiceDeps, identity: Identity): boolean => {
  const admins = deps.policy.initialAdmins;
  return (
    admins.includes(identity.objectId.toLowerCase()) ||
    (identity.upn !== null && admins.includes(identity.upn.toLowerCase()))
  );
};

/**
 * Reads the person behind an identity from the store, checking that the stored record belongs to the
 * same directory. Returns undefined for someone the app does not know yet.
 */
export const readPerson = async (deps: ServiceDeps, identity: Identity): Promise<Stored<Person> | undefined> => {
  checkDirectory(deps, identity);
  const stored = await deps.people.get(personIdFor(identity.objectId));
  if (stored && stored.value.directoryId !== identity.directoryId.toLowerCase()) {
    throw notAllowed("Your account does not match the directory it was registered with.", {
      reason: "directory-mismatch",
    });
  }
  return stored;
};
