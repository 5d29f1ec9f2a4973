import { StoreUnavailable } from "./ports.js";

/**
 * Retries a small idempotent write when the store stumbles (about 9 s in all). Used to record that a
 * message was sent: a send that landed but was not recorded would be sent again once its lease lapses.
 */
export const persistently = async <T>(write: () => Promise<T>, attempts = 8): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (!(e instanceof StoreUnavailable) || attempt >= attempts) throw e;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
    }
  }
};
