import { sweepOutbox } from '../../shared/messaging/relay';
import { pruneMessaging } from '../../shared/messaging/retention';
import { registerJob } from '../../shared/runtime/job';
import { registerHttp } from '../../shared/runtime/registry';
import { observeOutbox } from '../../shared/telemetry/outbox-metrics';
import { DEAD_LETTER_RECORDER } from '../../shared/topology';
import { recordFromDeadLetterTopic } from './on-dead-letter';
import { redriveUndelivered } from './undelivered';

registerJob('outbox-sweeper', sweepOutbox);
registerJob('messaging-prune', pruneMessaging);
registerJob('undelivered-redrive', redriveUndelivered);
registerHttp({ name: DEAD_LETTER_RECORDER, service: 'messaging', kind: 'push-endpoint' }, recordFromDeadLetterTopic);
observeOutbox(); // outbox backlog and oldest-row age gauges, when metrics are on
