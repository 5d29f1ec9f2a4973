import pino from "pino";
import type { AppConfig } from "./config.js";
import type { Logger } from "./services/ports.js";
import type { LogSink } from "./telemetry.js";

/**
 * The one structured logger; secrets and tokens are redacted wherever they appear. JSON lines on stdout
 * (or into `destination`, a file, or `sink`, the telemetry pipe); human-readable only in local mode.
 */
export const createLogger = (
  config: Pick<AppConfig, "logLevel" | "logFormat">,
  destination?: string,
  sink?: LogSink,
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
      ...(config.logFormat === "pretty" && !destination && !sink
        ? {
            // pino-pretty is a development dependency: loaded by name, only in local mode.
            transport: {
              target: "pino-pretty",
              options: { colorize: true, translateTime: "HH:MM:ss", ignore: "pid,hostname,app" },
            },
          }
        : {}),
    },
    destination ? pino.destination({ dest: destination, sync: true, mkdir: true }) : sink,
  );
