import { z } from 'zod';
import { defineContract } from '../../shared/http/contract';

const mail = z.looseObject({
  id: z.number().int(),
  received_at: z.string(),
  envelope_from: z.string().nullable(),
  envelope_to: z.array(z.string()),
  message_id: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  subject: z.string().nullable(),
  text: z.string(),
});

export const emailContract = defineContract({
  service: 'email',
  description: 'Email delivery (email.requested → SMTP) and, with the local SMTP sink only, the list of sent mail.',
  routes: [
    {
      method: 'get',
      path: '/mail',
      summary: 'What the local SMTP sink received, newest first (npm run dev only: 404 elsewhere)',
      access: 'admin',
      ok: {
        status: 200,
        description: "the sink's listing",
        schema: z.object({ data: z.array(mail) }),
        example: {
          data: [
            {
              id: 1,
              received_at: '2026-12-01T14:09:31.002Z',
              envelope_from: 'shop@shopflow.test',
              envelope_to: ['ada@example.com'],
              message_id: '<1@shopflow.test>',
              from: 'shop@shopflow.test',
              to: 'ada@example.com',
              subject: 'Your order is confirmed',
              text: 'Thank you for your order.',
            },
          ],
        },
      },
      errors: [404, 503],
    },
  ],
});
