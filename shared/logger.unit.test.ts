import { log, withLogContext } from './logger';

function captured(work: () => void): string {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    work();
  } finally {
    spy.mockRestore();
  }
  return lines.join('');
}

describe('the logger', () => {
  const env = { ...process.env };
  beforeEach(() => Object.assign(process.env, { LOG_LEVEL: 'info' }));
  afterEach(() => {
    process.env.LOG_FORMAT = env.LOG_FORMAT;
    process.env.LOG_LEVEL = env.LOG_LEVEL;
    if (env.LOG_FORMAT === undefined) delete process.env.LOG_FORMAT;
    if (env.LOG_LEVEL === undefined) delete process.env.LOG_LEVEL;
  });

  it('writes one JSON object per call when the output is not a terminal, with the context fields', () => {
    delete process.env.LOG_FORMAT;
    const out = captured(() => withLogContext({ event_type: 'order.created' }, () => log.info('event processed', { n: 1 })));
    expect(JSON.parse(out)).toMatchObject({ severity: 'INFO', message: 'event processed', event_type: 'order.created', n: 1 });
  });

  it('writes a readable line from the same call when LOG_FORMAT=pretty', () => {
    process.env.LOG_FORMAT = 'pretty';
    const out = captured(() => withLogContext({ event_type: 'order.created' }, () => log.info('event processed', { n: 1 })));
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}INFO {3}event processed {2}order\.created {2}n=1\n$/);
  });
});
