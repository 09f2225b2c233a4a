import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus metrics, all named parley_<area>_<what>_<unit>. One registry per server instance so tests
// can run several servers in one process.

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'parley_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request duration.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({ name: 'parley_events_appended_total', help: 'Events appended to conversation logs, by kind.', labelNames: ['kind'], registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'parley_deliveries_total', help: 'Delivery attempts by adapter and outcome (sent, retry, failed).', labelNames: ['adapter', 'outcome'], registers: [this.registry] });
  readonly deliveryDuration = new Histogram({ name: 'parley_delivery_attempt_duration_seconds', help: 'Duration of one delivery attempt.', labelNames: ['adapter'], buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15], registers: [this.registry] });
  readonly streamSessions = new Gauge({ name: 'parley_stream_sessions', help: 'Open stream sessions by kind and transport.', labelNames: ['kind', 'transport'], registers: [this.registry] });
  readonly deliveriesPending = new Gauge({ name: 'parley_deliveries_pending', help: 'Deliveries waiting to be sent (sampled at scrape).', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_process_' });
  }
}
