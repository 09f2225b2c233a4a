// Queues, queue observations and estimated wait time:
//   POST /api/v2/analytics/queues/observations/query  (QueueObservationQuery → QueueObservationQueryResponse)
//   GET  /api/v2/routing/queues/{queueId}/estimatedwaittime[?conversationId=]
//   GET  /api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime
//   GET  /api/v2/routing/queues[/{queueId}]
// Metric and enum names from the SDK models (QueueObservationQuery, PredictionResults). The numbers
// are the emulated org's: every emulated conversation is a `message`; an estimate is either fixed per
// queue (control API) or "conversations ahead × secondsPerWaitingConversation".
import { z } from 'zod';
import { json, type Route } from '../kit/index.js';
import { apiGuards } from './auth.js';
import type { Settings } from './config.js';
import { badRequest, notFound } from './errors.js';
import { parseBody } from './schemas.js';
import { phaseOf, type Queue, type Store } from './state.js';

export const OBSERVATION_METRICS = [
  'oActiveUsers',
  'oAlerting',
  'oInteracting',
  'oLongestInteracting',
  'oLongestWaiting',
  'oMemberUsers',
  'oOffQueueUsers',
  'oOnQueueUsers',
  'oUserPresences',
  'oUserRoutingStatuses',
  'oWaiting',
] as const;
const Metric = z.enum(OBSERVATION_METRICS);

const Predicate = z.object({
  type: z.enum(['dimension', 'property', 'metric']).optional(),
  dimension: z.string().optional(),
  operator: z.enum(['matches', 'exists', 'notExists']).optional(),
  value: z.string().optional(),
});
const ObservationQuery = z.object({
  filter: z.object({
    type: z.enum(['and', 'or']),
    predicates: z.array(Predicate).optional(),
    clauses: z.array(z.object({ type: z.enum(['and', 'or']), predicates: z.array(Predicate) })).optional(),
  }),
  metrics: z.array(Metric).min(1),
  detailMetrics: z.array(Metric).optional(),
});

const MEDIA_TYPES = ['call', 'callback', 'chat', 'email', 'socialExpression', 'videoComm', 'message'] as const;

export function analyticsRoutes(store: Store, settings: Settings): Route[] {
  const guards = apiGuards(store, settings);
  const queueOf = (id: string): Queue => {
    const q = store.queues.get(id);
    if (!q) throw notFound(`Queue ${id} not found.`);
    return q;
  };
  const members = (queueId: string) => [...store.agents.values()].filter((a) => a.queueIds.includes(queueId));
  /** Conversations an agent took from this queue and still holds. */
  const interacting = (queueId: string) =>
    [...store.conversations.values()].filter((c) => phaseOf(c) === 'active' && c.participants.filter((p) => p.purpose === 'acd').at(-1)?.queueId === queueId);

  const estimate = (queueId: string, conversationId?: string): number => {
    const queue = queueOf(queueId);
    if (queue.estimatedWaitSeconds !== undefined) return queue.estimatedWaitSeconds;
    const waiting = store.waitingIn(queueId);
    let ahead = waiting.length;
    if (conversationId) {
      ahead = waiting.findIndex((c) => c.id === conversationId);
      if (ahead < 0) throw badRequest(`Conversation ${conversationId} is not waiting in queue ${queueId}.`);
    }
    return ahead * settings.secondsPerWaitingConversation;
  };

  const metricData = (queueId: string, metric: (typeof OBSERVATION_METRICS)[number], detailed: boolean, media: string | undefined): Record<string, unknown>[] => {
    const nowMs = Date.now();
    const messageMedia = media === undefined || media === 'message';
    const people = members(queueId);
    const byStatus = (statuses: string[]): Record<string, unknown>[] =>
      statuses.map((qualifier) => ({ metric, qualifier, stats: { count: people.filter((a) => store.routingStatus(a) === qualifier).length } }));
    switch (metric) {
      case 'oWaiting': {
        const waiting = messageMedia ? store.waitingIn(queueId) : [];
        const observations = waiting.map((c) => ({ observationDate: c.startTime, conversationId: c.id, direction: 'inbound', addressFrom: c.customer.id, participantName: c.customer.nickname ?? c.customer.id }));
        return [{ metric, stats: { count: waiting.length }, ...(detailed ? { truncated: false, observations } : {}) }];
      }
      case 'oInteracting':
        return [{ metric, stats: { count: messageMedia ? interacting(queueId).length : 0 } }];
      case 'oAlerting':
        return [{ metric, stats: { count: 0 } }];
      case 'oLongestWaiting': {
        const first = messageMedia ? store.waitingIn(queueId)[0] : undefined;
        return first ? [{ metric, stats: { calculatedMetricValue: nowMs - Date.parse(first.startTime) } }] : [{ metric, stats: {} }];
      }
      case 'oLongestInteracting': {
        const first = messageMedia ? interacting(queueId)[0] : undefined;
        return first ? [{ metric, stats: { calculatedMetricValue: nowMs - Date.parse(first.startTime) } }] : [{ metric, stats: {} }];
      }
      case 'oOnQueueUsers':
      case 'oUserRoutingStatuses':
        return byStatus(['IDLE', 'INTERACTING']);
      case 'oOffQueueUsers':
        return [{ metric, stats: { count: people.filter((a) => !a.onQueue).length } }];
      case 'oMemberUsers':
        return [{ metric, stats: { count: people.length } }];
      case 'oActiveUsers':
        return [{ metric, stats: { count: people.filter((a) => a.onQueue).length } }];
      case 'oUserPresences':
        return [
          { metric, qualifier: 'ON_QUEUE', stats: { count: people.filter((a) => a.onQueue).length } },
          { metric, qualifier: 'AVAILABLE', stats: { count: people.filter((a) => !a.onQueue).length } },
        ];
    }
  };

  return [
    {
      method: 'POST',
      path: '/api/v2/analytics/queues/observations/query',
      guards: apiGuards(store, settings, true),
      handler: (ctx) => {
        const query = parseBody(ctx, ObservationQuery);
        const predicates = [...(query.filter.predicates ?? []), ...(query.filter.clauses ?? []).flatMap((c) => c.predicates)];
        const queueIds = [...new Set(predicates.filter((p) => p.dimension === 'queueId' && p.value).map((p) => p.value!))];
        if (!queueIds.length) throw badRequest('filter: at least one queueId predicate is required', [{ errorCode: 'required', fieldName: 'filter.predicates' }]);
        const media = predicates.find((p) => p.dimension === 'mediaType' && p.value)?.value;
        const detailed = new Set(query.detailMetrics ?? []);
        const results = queueIds.map((queueId) => ({
          group: { queueId, ...(media ? { mediaType: media } : {}) },
          data: query.metrics.flatMap((m) => metricData(queueId, m, detailed.has(m), media)),
        }));
        return json(200, { results });
      },
    },
    {
      method: 'GET',
      path: '/api/v2/routing/queues/:queueId/estimatedwaittime',
      guards,
      handler: (ctx) => {
        const seconds = estimate(ctx.params.queueId!, ctx.query.get('conversationId') ?? undefined);
        return json(200, { results: [{ intent: 'ALL', formula: 'BEST', estimatedWaitTimeSeconds: seconds }] });
      },
    },
    {
      method: 'GET',
      path: '/api/v2/routing/queues/:queueId/mediatypes/:mediaType/estimatedwaittime',
      guards,
      handler: (ctx) => {
        const media = ctx.params.mediaType!;
        if (!(MEDIA_TYPES as readonly string[]).includes(media)) throw badRequest(`mediaType must be one of ${MEDIA_TYPES.join(', ')}`);
        const seconds = media === 'message' ? estimate(ctx.params.queueId!) : (queueOf(ctx.params.queueId!), 0);
        return json(200, { results: [{ intent: media.toUpperCase(), formula: 'BEST', estimatedWaitTimeSeconds: seconds }] });
      },
    },
    {
      method: 'GET',
      path: '/api/v2/routing/queues',
      guards,
      handler: (ctx) => {
        const name = ctx.query.get('name');
        const entities = [...store.queues.values()]
          .filter((q) => !name || q.name.toLowerCase().startsWith(name.replace(/\*$/, '').toLowerCase()))
          .map((q) => ({ id: q.id, name: q.name, memberCount: members(q.id).length, selfUri: `/api/v2/routing/queues/${q.id}` }));
        return json(200, { entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1 });
      },
    },
    {
      method: 'GET',
      path: '/api/v2/routing/queues/:queueId',
      guards,
      handler: (ctx) => {
        const q = queueOf(ctx.params.queueId!);
        return json(200, { id: q.id, name: q.name, memberCount: members(q.id).length, selfUri: `/api/v2/routing/queues/${q.id}` });
      },
    },
  ];
}
