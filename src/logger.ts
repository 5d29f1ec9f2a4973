import pino from "pino";
import type { AppConfig } from "./config.js";
import type { Logger } from "./services/ports.js";

/** The one structured logger; secrets and tokens are redacted wherever they appear. */
export const createLogger = (
  config: Pick<AppConfig, "logLevel" | "logFormat">,
  destination?: string,
): Logger & pino.Logger =>
  pino(
    {
      level: config.logLevel,
      base: { app: "access-desk" },
      redact: {
        paths: [
          "*.authorization",
          "*.Authorization",
          "*.password",
          "*.key",
          "*.token",
          "*.secret",
          "*.clientSecret",
          "headers.authorization",
        ],
        censor: "[redacted]",
      },
      ...(config.logFormat === "pretty" && !destination
        ? {
            transport: {
              target: "pino-pretty",
              options: { colorize: true, translateTime: "HH:MM:ss", ignore: "pid,hostname,app" },
            },
          }
        : {}),
    },
    destination ? pino.destination({ dest: destination, sync: true, mkdir: true }) : undefined,
  );
