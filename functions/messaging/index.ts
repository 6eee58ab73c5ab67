import { registerHttp } from '../../shared/runtime/registry';
import { observeOutbox } from '../../shared/telemetry/outbox-metrics';
import { DEAD_LETTER_RECORDER } from '../../shared/topology';
import { recordFromDeadLetterTopic } from './on-dead-letter';
import { runJob } from './jobs';

registerHttp({ name: 'outbox-sweeper', service: 'messaging', kind: 'job' }, runJob('outbox-sweeper'));
registerHttp({ name: 'messaging-prune', service: 'messaging', kind: 'job' }, runJob('messaging-prune'));
registerHttp({ name: DEAD_LETTER_RECORDER, service: 'messaging', kind: 'push-endpoint' }, recordFromDeadLetterTopic);
observeOutbox(); // outbox backlog and oldest-row age gauges, when metrics are on
