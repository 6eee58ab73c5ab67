import { config } from '../../shared/config';
import { db } from '../../shared/db';
import { log } from '../../shared/logger';
import { latestEventId, republish } from '../../shared/messaging/relay';
import { countRedrive } from '../../shared/telemetry/redrive-metrics';

const CARTS = 'cart.carts';
const BATCH = 100;

/**
 * The cart re-drive (a scheduled job): a cart still `processing` after CART_REDRIVE_AFTER_SECONDS
 * has its order-requested published again with the SAME event_id, so it is harmless when the first
 * copy was only slow (consumers dedupe) and heals the flow when it was lost or dead-lettered. After
 * CART_REDRIVE_MAX re-drives the cart is surfaced instead: `stuck_since` is set (visible in GET
 * /cart and `npm run dlq -- stuck`), an error is logged and counted, and re-driving stops.
 */
export async function redriveStuckCarts(now = new Date()): Promise<{ redriven: number; surfaced: number }> {
  const { CART_REDRIVE_AFTER_SECONDS, CART_REDRIVE_MAX } = config();
  const before = new Date(now.getTime() - CART_REDRIVE_AFTER_SECONDS * 1000);
  const waiting: { id: string; redrive_count: number }[] = await db()(CARTS)
    .where({ status: 'processing' })
    .whereNull('stuck_since')
    .where((q) =>
      q.where('redriven_at', '<', before).orWhere((q2) => q2.whereNull('redriven_at').where('updated_at', '<', before)),
    )
    .orderBy('updated_at')
    .limit(BATCH)
    .select('id', 'redrive_count');
  let redriven = 0;
  let surfaced = 0;
  for (const cart of waiting) {
    if (cart.redrive_count >= CART_REDRIVE_MAX) {
      await db()(CARTS).where({ id: cart.id, status: 'processing' }).update({ stuck_since: now });
      log.error('cart is stuck in processing after every re-drive; an operator should look', {
        cart_id: cart.id,
        redrive_count: cart.redrive_count,
      });
      countRedrive('cart', 'surfaced');
      surfaced += 1;
      continue;
    }
    const eventId = await latestEventId('order-requested', cart.id);
    const claimed = await db()(CARTS)
      .where({ id: cart.id, status: 'processing', redrive_count: cart.redrive_count })
      .update({ redrive_count: cart.redrive_count + 1, redriven_at: now });
    if (!claimed || !eventId) continue;
    await republish([eventId]);
    log.warn('cart re-driven: order-requested published again with its event_id', {
      cart_id: cart.id,
      event_id: eventId,
      redrive_count: cart.redrive_count + 1,
    });
    countRedrive('cart', 'redriven');
    redriven += 1;
  }
  return { redriven, surfaced };
}
