import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ZodError, type ZodType } from 'zod';
import { AppError, badRequest } from '../errors';
import { pgCode } from '../db';
import { log } from '../logger';
import { hasNul } from '../text';
import { registerHttp } from '../runtime/registry';
import { apiFunctionName, type ServiceName } from '../topology';
import { healthProbe, standardChecks, type Check } from './health';
import { identify, type Caller } from './identity';

declare module 'express-serve-static-core' {
  interface Request {
    caller: Caller;
    rawBody?: Buffer;
  }
}

/**
 * A service's HTTP API as one HTTP function: JSON in and out, identity resolved, errors in
 * the `{error:{code,message,details?}}` shape, `GET /` health with the database and Pub/Sub.
 */
export function httpApi(
  service: ServiceName,
  routes: (router: Router) => void,
  extraChecks: Record<string, Check> = {},
  /** Routes that answer without a caller identity (e.g. a provider's signed webhook, which checks its own signature). */
  options: { publicPaths?: readonly string[] } = {},
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // size, encoding and media type were checked before the Functions Framework read the body (shared/runtime/edge.ts)
  app.use(refuseNul);
  const health = healthProbe({ ...standardChecks, ...extraChecks });
  app.get('/', async (req, res) => {
    // publicly the status and the names of failing checks (cached briefly); each check's outcome for an admin
    const admin = await identify(req).then(
      (caller) => caller.role === 'admin',
      () => false,
    );
    const { ok, checks } = await health({ fresh: admin });
    const failing = Object.keys(checks).filter((name) => checks[name] !== 'ok');
    res
      .status(ok ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status: ok ? 'ok' : 'unavailable', service, ...(admin ? { checks } : ok ? {} : { failing }) });
  });
  app.use(async (req, _res, next) => {
    // a public route never reads req.caller
    if (!options.publicPaths?.includes(req.path)) req.caller = await identify(req);
    next();
  });
  const router = express.Router();
  routes(router);
  app.use(router);
  app.use((req, _res, next) => next(new AppError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  registerHttp({ name: apiFunctionName(service), service, kind: 'api' }, app);
  return app;
}

function refuseNul(req: Request, _res: Response, next: NextFunction): void {
  if (req.rawBody && hasNul(req.rawBody.toString('utf8'))) {
    next(badRequest('invalid_input', 'NUL characters are not allowed'));
    return;
  }
  next();
}

/** Parses input with a zod schema; a mismatch is a 400 with the zod issues as details. */
export function parse<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

const invalidInput = (error: ZodError) =>
  badRequest(
    'invalid_input',
    'request is not valid',
    error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })),
  );

function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const known = toAppError(err);
  if (known.status >= 500) log.error('request failed', { method: req.method, path: req.path, error: err });
  res.status(known.status).json({
    error: { code: known.code, message: known.message, ...(known.details === undefined ? {} : { details: known.details }) },
  });
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return invalidInput(err);
  const type = (err as { type?: string })?.type;
  if (type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'request body is too large');
  if (type === 'entity.parse.failed') return badRequest('invalid_json', 'request body is not valid JSON');
  // input PostgreSQL cannot represent (a safety net: validation should have refused it first)
  if (['22021', '22P05'].includes(pgCode(err) ?? ''))
    return badRequest('invalid_input', 'request contains characters that cannot be stored');
  const status = (err as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new AppError(status, 'bad_request', 'the request is malformed');
  return new AppError(500, 'internal_error', 'internal error');
}
