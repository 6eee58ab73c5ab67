import { config } from '../../shared/config';
import { db } from '../../shared/db';
import { idleSince, redriveEach } from '../../shared/messaging/redrive';
import { latestEventId } from '../../shared/messaging/relay';

const CARTS = 'cart.carts';
const BATCH = 100;

/**
 * The cart re-drive (a scheduled job): a cart still `processing` CART_REDRIVE_AFTER_SECONDS after
 * its conversion (or its last re-drive) has its order-requested published again with the SAME
 * event_id: harmless when the first copy was only slow, and it heals the flow when a message of
 * the chain was lost or dead-lettered. After CART_REDRIVE_MAX re-drives the cart is surfaced:
 * `stuck_since` is set (visible in GET /cart and `npm run dlq -- stuck`), an error is logged and counted.
 */
export async function redriveStuckCarts(now = new Date()): Promise<{ redriven: number; surfaced: number }> {
  const { CART_REDRIVE_AFTER_SECONDS, CART_REDRIVE_MAX } = config();
  const waiting: { id: string; redrive_count: number }[] = await idleSince(
    db()(CARTS).where({ status: 'processing' }).whereNull('stuck_since'),
    now,
    CART_REDRIVE_AFTER_SECONDS,
  )
    .orderBy('updated_at')
    .limit(BATCH)
    .select('id', 'redrive_count');
  return redriveEach(
    waiting,
    (cart) => ({
      state: 'cart processing',
      table: CARTS,
      id: cart.id,
      redriveCount: cart.redrive_count,
      max: CART_REDRIVE_MAX,
      events: async () => [await latestEventId('order-requested', cart.id)].filter((e): e is string => !!e),
      surface: { stuck_since: now },
      still: { status: 'processing' },
    }),
    now,
  );
}
