/** The Entra ID sign-in stand-in lives with the local runner, which also serves it for `npm start -- --directory`. */
export * from "../../scripts/local/entra-stand-in.js";
