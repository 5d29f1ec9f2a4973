/** The part of autocannon's programmatic API the bench uses (the package ships no types). */
declare module "autocannon" {
  type Histogram = { p50: number; p99: number; average: number };
  type Options = {
    url: string;
    method?: string;
    connections?: number;
    duration?: number;
    amount?: number;
    headers?: Record<string, string>;
    requests?: Array<{ setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }>;
  };
  type Result = {
    "2xx": number;
    non2xx: number;
    errors: number;
    timeouts: number;
    duration: number;
    latency: Histogram;
    requests: Histogram & { total: number };
  };
  export default function autocannon(options: Options): Promise<Result>;
}
