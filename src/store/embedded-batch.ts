import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";

/**
 * Azure Cosmos DB runs a transactional batch (the SDK's `items.batch`, sent with
 * x-ms-cosmos-batch-atomic) all or nothing: when one operation fails, none of the others is applied,
 * and they answer 424 (failed dependency). The embedded server runs the operations one by one and
 * keeps those before the failure. This records what each operation of an atomic batch changes and,
 * when one fails, puts every document back as it was and answers the others with 424, as Azure does.
 * Local mode only.
 */

type Doc = { id: string; _rid: string } & Record<string, unknown>;
type Items = {
  _item(keyPath: string, value: string, partition: unknown): { read(): Doc | null | undefined };
  _getPartition(data: object): unknown;
  _set(data: Doc): Doc;
  delete(idOrRid: string, partition: unknown): void;
};
type ItemsPrototype = {
  _set(this: Items, data: Doc): Doc;
  delete(this: Items, idOrRid: string, partition: unknown): void;
};
type Handler = (account: unknown, req: IncomingMessage, res: ServerResponse, params: unknown) => Promise<unknown>;
type OperationResult = { statusCode: number; requestCharge?: number };

/** The undo steps of the atomic batch being run, newest last. */
const undoLog = new AsyncLocalStorage<Array<() => void>>();

let patched = false;

const patchServer = () => {
  if (patched) return;
  const serverRequire = createRequire(createRequire(import.meta.url).resolve("@vercel/cosmosdb-server"));
  const proto = (serverRequire("./account/items") as { default: { prototype: ItemsPrototype } }).default.prototype;
  const { _set: set, delete: remove } = proto;
  proto._set = function (data) {
    const stored = set.call(this, data);
    undoLog.getStore()?.push(() => remove.call(this, data.id, this._getPartition(data)));
    return stored;
  };
  proto.delete = function (idOrRid, partition) {
    const before = this._item("/id", idOrRid, partition).read();
    remove.call(this, idOrRid, partition);
    if (before) undoLog.getStore()?.push(() => void set.call(this, before));
  };

  // The server looks its routes up through this module's export on every request: batches are wrapped there.
  const routes = serverRequire("./routes") as { default: (req: IncomingMessage) => [unknown, Handler] | undefined };
  const batch = (serverRequire("./handler/batch-documents") as { default: Handler }).default;
  const atomic: Handler = async (account, req, res, params) => {
    if (String(req.headers["x-ms-cosmos-batch-atomic"] ?? "").toLowerCase() !== "true") {
      return batch(account, req, res, params);
    }
    const undo: Array<() => void> = [];
    const results = await undoLog.run(undo, () => batch(account, req, res, params));
    if (!Array.isArray(results) || !(results as OperationResult[]).some((r) => r.statusCode >= 400)) return results;
    for (const step of undo.reverse()) step();
    return (results as OperationResult[]).map((r) => (r.statusCode >= 400 ? r : { statusCode: 424, requestCharge: 0 }));
  };
  const route = routes.default;
  routes.default = (req) => {
    const found = route(req);
    return found && found[1] === batch ? [found[0], atomic] : found;
  };
  patched = true;
};

/** Makes the server's transactional batches all or nothing; call before creating the server. */
export const atomicBatches = (): void => patchServer();
