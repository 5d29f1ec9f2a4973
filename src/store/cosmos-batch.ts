import type { Container, OperationInput, OperationResponse } from "@azure/cosmos";
import { mapStoreError } from "./cosmos-errors.js";

/** A transactional batch stopped at one operation (its index, or -1 when the store did not say); nothing was applied. */
export class BatchFailed extends Error {
  constructor(
    readonly index: number,
    readonly statusCode: number,
  ) {
    super(`batch operation ${index} failed with ${statusCode}`);
    this.name = "BatchFailed";
  }
}

/**
 * Runs operations on one partition as one transactional batch, in one round trip: all are applied or
 * none is. @throws BatchFailed naming the operation that failed (a conflict, a stale ETag, a missing
 * document); other failures as the port's errors (StoreUnavailable …).
 */
export const transact = async (
  container: Container,
  partitionKey: string,
  operations: OperationInput[],
  what: string,
): Promise<OperationResponse[]> => {
  let results: OperationResponse[];
  try {
    const response = await container.items.batch(
      operations.map((op) => ({ ...op, partitionKey })),
      partitionKey,
    );
    results = response.result ?? [];
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 404 || code === 409 || code === 412) throw new BatchFailed(-1, code);
    throw mapStoreError(e, what);
  }
  const failed = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
  if (failed >= 0) throw new BatchFailed(failed, results[failed]!.statusCode);
  if (results.length !== operations.length) throw mapStoreError(new Error(`${what}: incomplete batch answer`), what);
  return results;
};

/**
 * Reads several documents of one partition in one round trip. A document that does not exist is
 * undefined; when the batch cannot say which (a transactional batch stops at the first missing one),
 * the documents are read one by one instead.
 */
export const readTogether = async <T extends object>(
  container: Container,
  partitionKey: string,
  ids: readonly string[],
  what: string,
): Promise<Array<(T & { _etag: string }) | undefined>> => {
  try {
    const results = await transact(
      container,
      partitionKey,
      ids.map((id) => ({ operationType: "Read", id })),
      what,
    );
    return results.map((r) => r.resourceBody as unknown as T & { _etag: string });
  } catch (e) {
    if (!(e instanceof BatchFailed)) throw e;
  }
  return Promise.all(
    ids.map(async (id) => {
      try {
        return (await container.item(id, partitionKey).read<T & { _etag: string }>()).resource;
      } catch (e) {
        if ((e as { code?: unknown }).code === 404) return undefined;
        throw mapStoreError(e, what);
      }
    }),
  );
};
