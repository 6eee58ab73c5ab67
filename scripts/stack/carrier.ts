import { randomBytes } from 'node:crypto';
import { error, luck, startSandboxServer, type Reply, type SandboxServer } from './sandbox-http';

/**
 * The local carrier sandbox, started by `npm run dev` and the tests. Booking a pickup answers at
 * once: 201 with a tracking number, or 422 `undeliverable` for the deterministic failure rule —
 * a shipping address with postal code UNDELIVERABLE_POSTAL_CODE — or for a configurable share of
 * references (`failureRate`, for load runs). Cancelling a booked pickup answers 200.
 */
export const UNDELIVERABLE_POSTAL_CODE = '00000';
export const CARRIER_NAME = 'ShopFlow Sandbox Post';

export interface Booking {
  id: string;
  reference: string;
  tracking_number: string;
  carrier: string;
  status: 'booked' | 'cancelled';
}

export interface CarrierSandbox extends SandboxServer {
  bookings: Map<string, Booking>;
}

export async function startCarrier(options: { apiKey: string; port?: number; failureRate?: number }): Promise<CarrierSandbox> {
  const bookings = new Map<string, Booking>();

  const route = ({ method, path, body }: { method: string; path: string; body: Record<string, unknown> }): Reply => {
    const [, version, collection, ref, action] = path.split('/');
    if (version !== 'v1' || collection !== 'shipments' || method !== 'POST') return error(404, 'not_found', 'no such endpoint');
    if (!ref) return book(body);
    const booking = bookings.get(ref);
    if (action !== 'cancel' || !booking) return error(404, 'not_found', 'no such shipment');
    booking.status = 'cancelled';
    return { status: 200, body: booking };
  };

  function book(body: Record<string, unknown>): Reply {
    if (typeof body.reference !== 'string') return error(400, 'invalid_request', 'reference is required');
    const address = body.address as { postal_code?: unknown } | null | undefined;
    if (address?.postal_code === UNDELIVERABLE_POSTAL_CODE) {
      return error(422, 'undeliverable', `the carrier does not deliver to postal code ${UNDELIVERABLE_POSTAL_CODE}`);
    }
    if (luck(`carrier:${body.reference}`) < (options.failureRate ?? 0)) {
      return error(422, 'undeliverable', 'the carrier has no capacity for this shipment');
    }
    const booking: Booking = {
      id: `shp_${randomBytes(8).toString('hex')}`,
      reference: body.reference,
      tracking_number: `SFP${randomBytes(5).toString('hex').toUpperCase()}`,
      carrier: CARRIER_NAME,
      status: 'booked',
    };
    bookings.set(booking.id, booking);
    return { status: 201, body: booking };
  }

  const server = await startSandboxServer({ name: 'carrier', apiKey: options.apiKey, port: options.port, route });
  return Object.assign(server, { bookings });
}
