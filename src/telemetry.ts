import { Console } from "node:console";
import type { AppConfig } from "./config.js";

/** Where the logger writes one JSON line per record. */
export type LogSink = { write(line: string): void };

export type Telemetry = {
  /** The log destination: stdout, through `console` when telemetry is on so each record also reaches Application Insights. */
  sink: LogSink | undefined;
  /** Sends what is still buffered (traces, logs) before the process exits. */
  shutdown(): Promise<void>;
};

const LEVEL = /"level":(\d+)/;

/** pino's numeric levels mapped to the console method whose severity Application Insights records. */
const consoleMethod = (line: string): "debug" | "info" | "warn" | "error" => {
  const level = Number(LEVEL.exec(line)?.[1] ?? 30);
  if (level >= 50) return "error";
  if (level >= 40) return "warn";
  if (level >= 30) return "info";
  return "debug";
};

/**
 * Starts OpenTelemetry with the Azure Monitor exporter when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
 * Must run before the HTTP server and the SDK clients are loaded, so their modules are instrumented:
 * incoming requests (the bot endpoint, the tab's API), outgoing calls (Bot Connector, Entra) and Cosmos DB.
 * Log records go through the console instrumentation, which links each to the request being served.
 */
export const startTelemetry = async (config: Pick<AppConfig, "telemetry">): Promise<Telemetry> => {
  const connectionString = config.telemetry.connectionString;
  if (!connectionString) return { sink: undefined, shutdown: async () => {} };
  // Loaded only when used: the SDK is large and patches modules as it loads.
  const { useAzureMonitor, shutdownAzureMonitor } = await import("@azure/monitor-opentelemetry");
  // Deployed, every line goes to stdout (as without telemetry); the console keeps its severities for Azure Monitor.
  const toStdout = new Console({ stdout: process.stdout, stderr: process.stdout });
  console.warn = toStdout.warn.bind(toStdout);
  console.error = toStdout.error.bind(toStdout);
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      console: { enabled: true },
    },
    enableLiveMetrics: false,
  });
  return {
    sink: {
      write(line: string) {
        // One console call per record: stdout gets the JSON line, Application Insights a trace record.
        console[consoleMethod(line)](line.endsWith("\n") ? line.slice(0, -1) : line);
      },
    },
    shutdown: () => shutdownAzureMonitor(),
  };
};
