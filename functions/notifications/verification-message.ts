import type { EventPayload } from '../../shared/events/catalog';
import type { Message } from './messages';

/**
 * The mail that verifies a new address. It carries nothing a customer wrote (no name), so an
 * unverified address can receive only our own words: the code and how to use it.
 */
export function emailVerification(e: EventPayload<'customer.email_verification_requested'>): Message['email'] {
  return {
    subject: 'Confirm your email address for ShopFlow',
    text: [
      'Someone asked to use this address for a ShopFlow account.',
      '',
      `If it was you, confirm it before ${e.expires_at} with this code:`,
      '',
      `  ${e.token}`,
      '',
      `(POST /customers/${e.customer_id}/verify-email with {"token": "<the code>"}, signed in as that customer.)`,
      '',
      'If it was not you, ignore this mail: the address will not be used and we will not write again.',
      '',
      '— ShopFlow',
    ].join('\n'),
  };
}
