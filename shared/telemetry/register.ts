import { telemetryPlan } from './plan';

/**
 * The telemetry preload: it must run before any function code loads, so that http, express and pg
 * are instrumented when they are first required.
 * - locally (`npm run dev`, scripts/serve.ts): the first import of scripts/serve.ts;
 * - on Cloud Functions: `NODE_OPTIONS=--require ./dist/shared/telemetry/register.js`.
 * With telemetry off (the default outside Google Cloud) it loads nothing else.
 */
const STARTED = Symbol.for('shopflow.telemetry.started');
const state = globalThis as { [STARTED]?: () => Promise<void> };

if (!state[STARTED]) {
  const plan = telemetryPlan(process.env);
  state[STARTED] = async () => {};
  if (plan.enabled) {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when on, and in this order */
    const { startSdk, shutdownSdk } = require('./sdk') as typeof import('./sdk');
    startSdk(plan);
    require('./hooks');
    /* eslint-enable @typescript-eslint/no-require-imports */
    state[STARTED] = shutdownSdk;
  }
}

/** Flushes and stops the SDK (pending spans and metrics are exported); a no-op with telemetry off. */
export const shutdownTelemetry = (): Promise<void> => state[STARTED]!();
