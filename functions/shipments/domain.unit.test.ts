import { decideShipment, shipmentStatuses } from './domain';

describe('shipment state machine', () => {
  test('a booking the carrier accepts is scheduled once; one it refuses fails once', () => {
    expect(decideShipment('pending', 'carrier_accepted')).toEqual({ status: 'scheduled', emit: 'shipment.scheduled' });
    expect(decideShipment('scheduled', 'carrier_accepted')).toEqual({ status: 'scheduled' });
    expect(decideShipment('pending', 'carrier_refused')).toEqual({ status: 'failed', emit: 'shipment.failed' });
    expect(decideShipment('failed', 'carrier_refused')).toEqual({ status: 'failed' });
  });

  test('a cancelled order cancels its shipment, and a booked pickup is cancelled at the carrier', () => {
    expect(decideShipment('pending', 'order_cancelled')).toEqual({ status: 'cancelled' });
    expect(decideShipment('scheduled', 'order_cancelled')).toEqual({ status: 'cancelled', cancelAtCarrier: true });
    expect(decideShipment('cancelled', 'carrier_accepted')).toEqual({ status: 'cancelled' });
  });

  test('a finished shipment never moves', () => {
    for (const input of ['carrier_accepted', 'carrier_refused', 'order_cancelled'] as const) {
      expect(decideShipment('failed', input).status).toBe('failed');
      expect(decideShipment('cancelled', input).status).toBe('cancelled');
    }
    expect(shipmentStatuses).toHaveLength(4);
  });
});
