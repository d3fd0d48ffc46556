import { Counter, Gauge, type Metric, type Registry, type RegistryContentType } from 'prom-client';

/**
 * Metrics observed once per event per client — the hot path — kept in plain numbers and
 * handed to prom-client only when scraped. prom-client hashes the label set on every
 * observation (about a microsecond); at thousands of deliveries a second that alone cost
 * several percent of the server's capacity.
 */

/**
 * A counter or gauge by one label whose values are counted elsewhere in plain numbers
 * (`read` gives them live) and handed to prom-client when scraped.
 */
export function scrapedMetric(
  kind: 'counter' | 'gauge',
  config: { name: string; help: string; labelName: string },
  registers: Array<Registry<RegistryContentType>>,
  read: () => ReadonlyMap<string, number>,
): void {
  const common = { name: config.name, help: config.help, labelNames: [config.labelName], registers };
  if (kind === 'gauge') {
    new Gauge({
      ...common,
      collect() {
        this.reset();
        for (const [label, value] of read()) this.set({ [config.labelName]: label }, value);
      },
    });
    return;
  }
  new Counter({
    ...common,
    collect() {
      this.reset();
      for (const [label, value] of read()) this.inc({ [config.labelName]: label }, value);
    },
  });
}

interface Series {
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram by one label, with its buckets counted here and rendered at scrape time.
 * prom-client has no way to hand a Histogram its bucket counts, so this is a metric of
 * its own, registered through `registerMetric` with the shape prom-client renders.
 */
export class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly bounds: readonly number[],
    registers: Array<Registry<RegistryContentType>>,
  ) {
    for (const registry of registers) registry.registerMetric(this as unknown as Metric);
  }

  observe(label: string, value: number): void {
    let series = this.series.get(label);
    if (!series) {
      series = { buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      this.series.set(label, series);
    }
    let index = 0;
    while (index < this.bounds.length && value > (this.bounds[index] as number)) index++;
    if (index < this.bounds.length) series.buckets[index] = (series.buckets[index] ?? 0) + 1;
    series.sum += value;
    series.count++;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> }> {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const [label, series] of this.series) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += series.buckets[index] ?? 0;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, [this.labelName]: label }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', [this.labelName]: label }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels: { [this.labelName]: label }, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: { [this.labelName]: label }, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
