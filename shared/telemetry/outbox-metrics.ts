import { context, ValueType } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { log } from '../logger';
import { outboxBacklog } from '../messaging/backlog';
import { meter } from './metrics';

let observingOutbox = false;

/**
 * Observable gauges of the outbox: unpublished rows and the age of the oldest one, read with one
 * indexed query per metric collection, and only when metrics are on (a no-op meter never calls back).
 * Registered by the messaging service, which owns the sweeper.
 */
export function observeOutbox(): void {
  if (observingOutbox) return;
  observingOutbox = true;
  const backlog = meter().createObservableGauge('shopflow.outbox.backlog', {
    description: 'Outbox rows not yet published',
    unit: '{event}',
    valueType: ValueType.INT,
  });
  const oldestAge = meter().createObservableGauge('shopflow.outbox.oldest_age', {
    description: 'Age of the oldest unpublished outbox row (0 when none)',
    unit: 's',
  });
  meter().addBatchObservableCallback(
    async (result) => {
      try {
        const state = await context.with(suppressTracing(context.active()), outboxBacklog);
        result.observe(backlog, state.backlog);
        result.observe(oldestAge, state.oldestAgeSeconds);
      } catch (error) {
        log.warn('outbox metrics could not be read', { error });
      }
    },
    [backlog, oldestAge],
  );
}
