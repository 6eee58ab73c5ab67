import { config } from '../../shared/config';
import { AppError } from '../../shared/errors';
import { httpApi } from '../../shared/http/api';
import { requireAdmin } from '../../shared/http/identity';
import { smtpReachable } from './smtp';

/**
 * The email service's HTTP function: `GET /` (health) and, in local mode only, `GET /mail`: what
 * the dev SMTP sink received (MAIL_SINK_URL, set by `npm run dev`), newest first.
 */
export const emailApi = httpApi(
  'email',
  (r) => {
    r.get('/mail', async (req, res) => {
      requireAdmin(req.caller);
      const sink = config().MAIL_SINK_URL;
      if (!sink)
        throw new AppError(404, 'mail_viewer_disabled', 'the mail viewer exists only with the local SMTP sink (npm run dev)');
      let listing: unknown;
      try {
        const reply = await fetch(sink, { signal: AbortSignal.timeout(3_000) });
        listing = await reply.json();
      } catch {
        throw new AppError(503, 'mail_sink_unreachable', `the local SMTP sink does not answer at ${sink}`);
      }
      res.json(listing);
    });
  },
  { smtp: smtpReachable },
);
