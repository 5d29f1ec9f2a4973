/** Where a running `npm start` says its embedded Cosmos DB server listens (for `npm run seed`). */
export const LOCAL_ENDPOINTS_FILE = "devTools/local-endpoints.json";
