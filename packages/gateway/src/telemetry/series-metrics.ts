import { Counter, Gauge, type Metric, type Registry, type RegistryContentType } from 'prom-client';

/**
 * Metrics the engine observes on every run, tool and event, kept in plain numbers and
 * handed to prom-client only when scraped. prom-client hashes the label set on every
 * observation (sorting the label names, about a microsecond), and a histogram with
 * exemplars is a second histogram; at a few hundred runs a second that alone was several
 * percent of the server's capacity. Here a series is found by its label values joined,
 * and prom-client still does the registering and the rendering (Prometheus text and
 * OpenMetrics, exemplars included).
 */

/** Label values in the order of the metric's label names. */
export type LabelValues = readonly string[];

/** An exemplar's labels: OpenMetrics lets them be anything (here, a trace id). */
export type ExemplarLabels = Readonly<Record<string, string>>;

interface RenderedValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
  exemplar?: { labelSet: ExemplarLabels; value: number; timestamp: number };
}

interface Rendered {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: RenderedValue[];
}

/** One-label series are keyed by their value; more labels by their values joined with a byte no label holds. */
const keyOf = (values: LabelValues): string => (values.length === 1 ? (values[0] as string) : values.join('\u0001'));

abstract class SeriesMetric<Series> {
  readonly aggregator = 'sum';
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  private readonly series = new Map<string, { labels: Record<string, string>; series: Series }>();

  constructor(
    public name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registers: Array<Registry<RegistryContentType>>,
  ) {
    for (const registry of registers) registry.registerMetric(this as unknown as Metric);
  }

  protected abstract create(): Series;
  protected abstract render(labels: Record<string, string>, series: Series): RenderedValue[];

  /** Makes the series exist before anything is observed, so a scrape shows it at zero rather than not at all. */
  init(values: LabelValues): void {
    this.seriesOf(values);
  }

  protected seriesOf(values: LabelValues): Series {
    const key = keyOf(values);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: Object.fromEntries(this.labelNames.map((name, index) => [name, values[index] ?? ''])), series: this.create() };
      this.series.set(key, entry);
    }
    return entry.series;
  }

  async get(): Promise<Rendered> {
    const values: RenderedValue[] = [];
    for (const { labels, series } of this.series.values()) values.push(...this.render(labels, series));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}

/** A counter's or a gauge's series: one number each. */
abstract class SingleValueMetric extends SeriesMetric<{ value: number }> {
  protected create() {
    return { value: 0 };
  }

  protected render(labels: Record<string, string>, series: { value: number }): RenderedValue[] {
    return [{ labels, value: series.value }];
  }
}

export class SeriesCounter extends SingleValueMetric {
  readonly type = 'counter';

  inc(labels: LabelValues, by = 1): void {
    this.seriesOf(labels).value += by;
  }
}

export class SeriesGauge extends SingleValueMetric {
  readonly type = 'gauge';

  add(labels: LabelValues, by: number): void {
    this.seriesOf(labels).value += by;
  }
}

interface HistogramSeries {
  buckets: Float64Array;
  /** The latest exemplar that fell in each bucket (OpenMetrics shows one per bucket). */
  exemplars: Array<RenderedValue['exemplar']>;
  sum: number;
  count: number;
}

export class SeriesHistogram extends SeriesMetric<HistogramSeries> {
  readonly type = 'histogram';

  constructor(config: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[] }, registers: Array<Registry<RegistryContentType>>) {
    super(config.name, config.help, config.labelNames, registers);
    this.bounds = config.buckets;
  }

  private readonly bounds: readonly number[];

  observe(labels: LabelValues, value: number, exemplar?: ExemplarLabels): void {
    const series = this.seriesOf(labels);
    let index = 0;
    while (index < this.bounds.length && value > (this.bounds[index] as number)) index++;
    series.buckets[index] = (series.buckets[index] ?? 0) + 1;
    if (exemplar) series.exemplars[index] = { labelSet: exemplar, value, timestamp: Date.now() / 1000 };
    series.sum += value;
    series.count++;
  }

  protected create(): HistogramSeries {
    // One bucket per bound, and the last for +Inf.
    return { buckets: new Float64Array(this.bounds.length + 1), exemplars: [], sum: 0, count: 0 };
  }

  protected render(labels: Record<string, string>, series: HistogramSeries): RenderedValue[] {
    const values: RenderedValue[] = [];
    let cumulative = 0;
    [...this.bounds, '+Inf' as const].forEach((bound, index) => {
      cumulative += series.buckets[index] ?? 0;
      const exemplar = series.exemplars[index];
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative, ...(exemplar ? { exemplar } : {}) });
    });
    values.push({ metricName: `${this.name}_sum`, labels, value: series.sum });
    values.push({ metricName: `${this.name}_count`, labels, value: series.count });
    return values;
  }
}

/**
 * A counter or gauge by one label whose values are counted elsewhere in plain numbers
 * (`read` gives them live) and handed to prom-client when scraped; the `known` label
 * values show 0 until counted.
 */
export function scrapedMetric(
  kind: 'counter' | 'gauge',
  config: { name: string; help: string; labelName: string; known: readonly string[] },
  registers: Array<Registry<RegistryContentType>>,
  read: () => ReadonlyMap<string, number>,
): void {
  const values = (): Map<string, number> => {
    const all = new Map(config.known.map((label) => [label, 0]));
    for (const [label, value] of read()) all.set(label, value);
    return all;
  };
  const common = { name: config.name, help: config.help, labelNames: [config.labelName], registers };
  if (kind === 'gauge') {
    new Gauge({
      ...common,
      collect() {
        this.reset();
        for (const [label, value] of values()) this.set({ [config.labelName]: label }, value);
      },
    });
    return;
  }
  new Counter({
    ...common,
    collect() {
      this.reset();
      for (const [label, value] of values()) this.inc({ [config.labelName]: label }, value);
    },
  });
}
