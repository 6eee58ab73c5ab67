import { setLogContextProvider } from '../logger';
import { setTraceInjector } from '../messaging/outbox';
import { traceLogFields } from './logging';
import { messageCreated } from './messaging';

/**
 * Connects the logger and the outbox to tracing, through the hooks they expose. Loaded after the
 * SDK has started, because these modules bring the messaging stack with them.
 */
setTraceInjector(messageCreated);
setLogContextProvider(traceLogFields);
