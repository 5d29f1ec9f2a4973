/** The Microsoft Graph stand-in lives with the local runner, which also serves it for `npm start -- --directory`. */
export * from "../../scripts/local/graph-stand-in.js";
