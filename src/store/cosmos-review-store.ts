import type { Container, SqlParameter } from "@azure/cosmos";
import { REVIEWS_PARTITION, reviewItemIdFor, type AccessReview, type ReviewItem } from "../domain/access-review.js";
import { AlreadyExists, type Page, type ReviewStore, type Stored } from "../services/ports.js";
import { CosmosDocuments } from "./cosmos-documents.js";
import { mapStoreError, withoutSystemProperties } from "./cosmos-errors.js";

/** Access reviews on Cosmos DB: headers in the `_reviews` partition, items beside each person. */
export class CosmosReviewStore implements ReviewStore {
  private readonly reviews: CosmosDocuments<AccessReview>;
  private readonly items: CosmosDocuments<ReviewItem>;

  constructor(private readonly container: Container) {
    this.reviews = new CosmosDocuments<AccessReview>(container, "access review", (d) => d.type === "review");
    this.items = new CosmosDocuments<ReviewItem>(container, "review item", (d) => d.type === "review-item");
  }

  getReview(id: string): Promise<Stored<AccessReview> | undefined> {
    return this.reviews.get(id, REVIEWS_PARTITION);
  }

  createReview(review: AccessReview): Promise<Stored<AccessReview>> {
    return this.reviews.create(review);
  }

  replaceReview(review: AccessReview, etag: string): Promise<Stored<AccessReview>> {
    return this.reviews.replace(review, etag);
  }

  listReviews(limit: number): Promise<AccessReview[]> {
    return this.reviews.query(
      "SELECT * FROM c WHERE c.type = 'review' ORDER BY c.startedAt DESC",
      [],
      limit,
      REVIEWS_PARTITION,
    );
  }

  async ensureItem(item: ReviewItem): Promise<Stored<ReviewItem>> {
    try {
      return await this.items.create(item);
    } catch (e) {
      if (!(e instanceof AlreadyExists)) throw e;
      const existing = await this.items.get(item.id, item.personId);
      if (!existing) throw e;
      return existing;
    }
  }

  getItem(personId: string, reviewId: string): Promise<Stored<ReviewItem> | undefined> {
    return this.items.get(reviewItemIdFor(reviewId), personId);
  }

  replaceItem(item: ReviewItem, etag: string): Promise<Stored<ReviewItem>> {
    return this.items.replace(item, etag);
  }

  async listItems(
    reviewId: string,
    filter: { tenantIds?: readonly (string | null)[]; undecided?: boolean },
    page: { pageSize: number; continuation?: string | null },
  ): Promise<Page<ReviewItem>> {
    const where = ["c.type = 'review-item'", "c.reviewId = @reviewId"];
    const parameters: SqlParameter[] = [{ name: "@reviewId", value: reviewId }];
    if (filter.tenantIds) {
      where.push("ARRAY_CONTAINS(@tenantIds, c.tenantId)");
      parameters.push({ name: "@tenantIds", value: [...filter.tenantIds] });
    }
    if (filter.undecided) where.push("IS_NULL(c.decision) AND c.superseded = false");
    try {
      const result = await this.container.items
        .query<ReviewItem>(
          { query: `SELECT * FROM c WHERE ${where.join(" AND ")} ORDER BY c.name ASC`, parameters },
          { maxItemCount: page.pageSize, ...(page.continuation ? { continuationToken: page.continuation } : {}) },
        )
        .fetchNext();
      return {
        items: result.resources.map((d) =>
          withoutSystemProperties<ReviewItem>(d as unknown as Record<string, unknown>),
        ),
        continuation: result.continuationToken ?? null,
      };
    } catch (e) {
      throw mapStoreError(e, "review items");
    }
  }

  async progress(reviewId: string): Promise<Array<{ tenantId: string | null; users: number; decided: number }>> {
    try {
      const { resources } = await this.container.items
        .query<{ tenantId: string | null; open: boolean }>({
          query:
            "SELECT c.tenantId, (IS_NULL(c.decision) AND c.superseded = false) AS open FROM c WHERE c.type = 'review-item' AND c.reviewId = @reviewId",
          parameters: [{ name: "@reviewId", value: reviewId }],
        })
        .fetchAll();
      const byTenant = new Map<string | null, { tenantId: string | null; users: number; decided: number }>();
      for (const r of resources) {
        const key = r.tenantId ?? null;
        const entry = byTenant.get(key) ?? { tenantId: key, users: 0, decided: 0 };
        entry.users++;
        if (!r.open) entry.decided++;
        byTenant.set(key, entry);
      }
      return [...byTenant.values()];
    } catch (e) {
      throw mapStoreError(e, "review items");
    }
  }
}
