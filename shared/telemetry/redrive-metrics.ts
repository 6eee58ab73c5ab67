import { ValueType, type Counter } from '@opentelemetry/api';
import { meter } from './metrics';

let counter: Counter | undefined;

/** Re-drives by reconcilers: `redriven` (sent again with the same event_id) or `surfaced` (past the bound, for an operator). */
export function countRedrive(waitingState: string, outcome: 'redriven' | 'surfaced'): void {
  counter ??= meter().createCounter('shopflow.redrives', {
    description: 'Waiting states re-driven by a reconciler, by state and outcome (redriven, surfaced)',
    unit: '{item}',
    valueType: ValueType.INT,
  });
  counter.add(1, { 'shopflow.waiting_state': waitingState, 'shopflow.outcome': outcome });
}
