import { googleMachine, googleServerlessMarker, loopbackOnly } from './platform';

describe('platform', () => {
  test('a laptop shows no Google runtime', () => {
    expect(googleServerlessMarker({ HOME: '/home/dev', PATH: '/usr/bin' })).toBeUndefined();
    expect(googleMachine(() => 'LENOVO')).toBe(false);
    expect(
      googleMachine(() => {
        throw new Error('no DMI in this container');
      }),
    ).toBe(false);
  });

  test('Cloud Run, Cloud Functions and App Engine are recognised by their variables', () => {
    expect(googleServerlessMarker({ K_SERVICE: 'cart-api' })).toBe('K_SERVICE');
    expect(googleServerlessMarker({ FUNCTION_TARGET: 'cart-api' })).toBe('FUNCTION_TARGET');
    expect(googleServerlessMarker({ CLOUD_RUN_JOB: 'migrate' })).toBe('CLOUD_RUN_JOB');
    expect(googleServerlessMarker({ GAE_APPLICATION: 's~shop' })).toBe('GAE_APPLICATION');
    expect(googleServerlessMarker({ K_SERVICE: '' })).toBeUndefined();
  });

  test('a Compute Engine or GKE machine is recognised by its DMI data', () => {
    expect(googleMachine((file) => (file.endsWith('product_name') ? 'Google Compute Engine\n' : 'SeaBIOS'))).toBe(true);
  });

  test('only loopback addresses count as local', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost'].every(loopbackOnly)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.5'].some(loopbackOnly)).toBe(false);
  });
});
