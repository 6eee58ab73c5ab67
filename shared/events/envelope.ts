import { z } from 'zod';
import { uuid } from './fields';

/**
 * The envelope travels in the message attributes (all strings); `data` is the payload only.
 * event_id is assigned by the producer when the outbox row is written and never changes.
 */
export const envelope = z.object({
  event_id: uuid,
  event_type: z.string().min(1),
  event_version: z.string().regex(/^\d+$/),
  occurred_at: z.string().datetime({ offset: true }),
  correlation_id: z.string().min(1),
  causation_id: z.string().optional(),
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
});

export type Envelope = z.infer<typeof envelope>;
