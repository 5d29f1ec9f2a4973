import { fork, spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import WebSocket from "ws";
import type { StoreCall } from "./store-process.js";

/** Scratch files of a bench run (logs); ignored by git. */
export const TMP = "bench/tmp";
const TSX = [
  "--import",
  "tsx",
  "--disable-warning=DEP0111",
  // BENCH_CPU_PROFILE=1 npm run bench: each process writes a V8 CPU profile into bench/tmp/profiles when it ends.
  ...(process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=bench/tmp/profiles"] : []),
];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Child = { child: ChildProcess; stop(): Promise<void> };

const stopper = (child: ChildProcess) => async () => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const late = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(late);
};

/** Forks a TypeScript helper with an IPC channel; resolves with its first message (its address). */
export const forkHelper = async <T>(file: string, name: string): Promise<Child & { ready: T }> => {
  const log = openSync(join(TMP, `${name}.log`), "a");
  const child = fork(file, [], { execArgv: TSX, stdio: ["ignore", log, log, "ipc"] });
  const ready = await new Promise<T>((resolve, reject) => {
    child.once("message", (m) => resolve(m as T));
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}; see ${TMP}/${name}.log`)));
  });
  return { child, ready, stop: stopper(child) };
};

/** Asks a helper process for something over IPC and waits for its answer. */
export const ask = <T>(child: ChildProcess, cmd: string, with_: object = {}): Promise<T> =>
  new Promise((resolve) => {
    child.once("message", (m) => resolve(m as T));
    child.send({ ...with_, cmd });
  });

/** The store's call counter: what the SDK sent since the last take. */
export const takeCalls = async (store: ChildProcess): Promise<StoreCall[]> =>
  (await ask<{ calls: StoreCall[] }>(store, "take")).calls;

/**
 * Starts a server process and measures process start (spawn) to the first 200 from `readyPath`,
 * polling every 10 ms. Its output goes to bench/tmp/<name>.log.
 */
export const startServer = async (
  name: string,
  args: string[],
  env: Record<string, string>,
  url: string,
  readyPath = "/readyz",
  nodeOptions: string[] = [],
): Promise<Child & { readyMs: number; pid: number; url: string }> => {
  const log = openSync(join(TMP, `${name}.log`), "a");
  const started = performance.now();
  const child = spawn(process.execPath, [...TSX, ...nodeOptions, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${TMP}/${name}.log`);
    try {
      if ((await fetch(`${url}${readyPath}`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready within 90 s`);
    await sleep(10);
  }
  return { child, url, pid: child.pid!, readyMs: performance.now() - started, stop: stopper(child) };
};

/** Resident set size of a process, in MiB (Linux). */
export const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** CPU time a process has used so far (user + system), in seconds (Linux, 100 ticks a second). */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // After the command: state is field 3, utime field 14 and stime field 15 of the whole line.
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** Starts watching processes' CPU use; the returned function gives each one's share of a core since. */
export const watchCpu = (pids: Record<string, number>): (() => Record<string, number>) => {
  const started = performance.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return () => {
    const seconds = (performance.now() - started) / 1000;
    return Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [
        name,
        Math.round((100 * (cpuSeconds(pid) - before[name]!)) / seconds),
      ]),
    );
  };
};

export type LoadResult = {
  requests: number;
  ok: number;
  failed: number;
  perSecond: number;
  p50: number;
  p99: number;
  durationS: number;
};

/**
 * POSTs activities to a bot's /api/messages with autocannon at `connections` connections, a fresh
 * body per request from `body()`, for `seconds` or until `amount` requests were sent.
 */
export const load = async (
  url: string,
  body: () => string,
  options: { seconds: number; amount?: number; connections?: number },
): Promise<LoadResult> => {
  const result = await autocannon({
    url: `${url}/api/messages`,
    method: "POST",
    connections: options.connections ?? 20,
    duration: options.seconds,
    ...(options.amount ? { amount: options.amount } : {}),
    headers: { "content-type": "application/json" },
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }],
  });
  const ok = result["2xx"];
  return {
    requests: ok + result.non2xx + result.errors + result.timeouts,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    perSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    durationS: result.duration,
  };
};

/** Percentile of a list of numbers (nearest rank). */
export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

export const median = (values: number[]) => percentile(values, 50);

/** The profile the connector stand-in reports for a Teams user id (and the bench's known people carry). */
export const memberFor = (id: string) => ({
  name: `Person ${id.replace(/^.*?(\d+)$/, "$1")}`,
  userPrincipalName: `${id.replace(/[^a-z0-9-]/gi, "")}@contoso.example`.toLowerCase(),
});

/**
 * `amount` requests by `load`, in blocks of at most `block`, stopping after `seconds` (autocannon's
 * amount overrides its duration, so a time box needs blocks). Latencies: the median of the blocks'
 * p50s and the highest p99.
 */
export const loadAtMost = async (
  url: string,
  body: () => string,
  { amount, seconds, block = 2_000 }: { amount: number; seconds: number; block?: number },
): Promise<LoadResult> => {
  const started = Date.now();
  const parts: LoadResult[] = [];
  let sent = 0;
  while (sent < amount && (parts.length === 0 || Date.now() - started < seconds * 1000)) {
    const part = await load(url, body, { seconds, amount: Math.min(block, amount - sent) });
    parts.push(part);
    sent += part.requests;
    if (part.requests === 0) break;
  }
  const sum = (f: (r: LoadResult) => number) => parts.reduce((n, r) => n + f(r), 0);
  const durationS = sum((r) => r.durationS);
  return {
    requests: sum((r) => r.requests),
    ok: sum((r) => r.ok),
    failed: sum((r) => r.failed),
    perSecond: sum((r) => r.ok) / Math.max(durationS, 0.001),
    p50: median(parts.map((r) => r.p50)),
    p99: Math.max(...parts.map((r) => r.p99)),
    durationS,
  };
};

/**
 * The V8 heap a process uses after a full garbage collection, in MiB, through its inspector (opened
 * with SIGUSR1 on the port given by --inspect-port): what it retains, without RSS's lag and slack.
 */
export const heapAfterGc = async (pid: number, inspectPort: number): Promise<number> => {
  const list = async () => {
    try {
      return (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as {
        webSocketDebuggerUrl: string;
      }[];
    } catch {
      return null;
    }
  };
  let targets = await list();
  if (!targets) {
    process.kill(pid, "SIGUSR1");
    for (let i = 0; i < 50 && !targets; i++) {
      await sleep(100);
      targets = await list();
    }
  }
  if (!targets?.[0]) throw new Error("the bot's inspector did not open");
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const mine = ++id;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown> };
        if (message.id !== mine) return;
        socket.off("message", onMessage);
        resolve(message.result ?? {});
      };
      socket.on("message", onMessage);
      socket.send(JSON.stringify({ id: mine, method }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    const usage = await call("Runtime.getHeapUsage");
    return Number(usage.usedSize) / 2 ** 20;
  } finally {
    socket.close();
  }
};
