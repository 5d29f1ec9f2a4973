import type { Container, SqlParameter } from "@azure/cosmos";
import type { Stored } from "../services/ports.js";
import { isNotFound, mapStoreError, withoutSystemProperties } from "./cosmos-errors.js";

type Doc = { id: string; personId: string };

/**
 * Point reads and conditional writes of one kind of document (person, request): the SDK calls and
 * their error mapping in one place. `accepts` guards a read against a document of another kind.
 */
export class CosmosDocuments<T extends Doc> {
  constructor(
    private readonly container: Container,
    private readonly what: string,
    private readonly accepts: (doc: T) => boolean,
  ) {}

  private stored(doc: T & { _etag?: string }, etag?: string): Stored<T> {
    return {
      value: withoutSystemProperties<T>(doc as unknown as Record<string, unknown>),
      etag: etag ?? doc._etag ?? "",
    };
  }

  async get(id: string, personId: string): Promise<Stored<T> | undefined> {
    try {
      const { resource, etag } = await this.container.item(id, personId).read<T>();
      return resource && this.accepts(resource) ? this.stored(resource, etag) : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw mapStoreError(e, this.what);
    }
  }

  /** @throws AlreadyExists */
  async create(doc: T): Promise<Stored<T>> {
    try {
      const { resource, etag } = await this.container.items.create<T>(doc);
      return this.stored(resource!, etag);
    } catch (e) {
      throw mapStoreError(e, this.what);
    }
  }

  /** @throws PreconditionFailed when the ETag is stale */
  async replace(doc: T, etag: string): Promise<Stored<T>> {
    try {
      const { resource, etag: next } = await this.container
        .item(doc.id, doc.personId)
        .replace<T>(doc, { accessCondition: { type: "IfMatch", condition: etag } });
      return this.stored(resource!, next);
    } catch (e) {
      throw mapStoreError(e, this.what);
    }
  }

  /** Runs a query and returns up to `limit` documents, system properties removed. */
  async query(query: string, parameters: SqlParameter[], limit: number, partitionKey?: string): Promise<T[]>;
  async query(
    query: string,
    parameters: SqlParameter[],
    limit: number,
    partitionKey: string | undefined,
    withEtags: true,
  ): Promise<Stored<T>[]>;
  async query(
    query: string,
    parameters: SqlParameter[],
    limit: number,
    partitionKey?: string,
    withEtags?: boolean,
  ): Promise<T[] | Stored<T>[]> {
    try {
      const out: Stored<T>[] = [];
      const iterator = this.container.items.query<T>(
        { query, parameters },
        { maxItemCount: Math.min(limit, 100), ...(partitionKey ? { partitionKey } : {}) },
      );
      while (out.length < limit && iterator.hasMoreResults()) {
        const { resources } = await iterator.fetchNext();
        out.push(...resources.map((d) => this.stored(d)));
      }
      const page = out.slice(0, limit);
      return withEtags ? page : page.map((s) => s.value);
    } catch (e) {
      throw mapStoreError(e, this.what);
    }
  }
}
