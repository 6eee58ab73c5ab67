import type { TestStack } from './stack';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __shopflowStack?: TestStack }).__shopflowStack;
  await Promise.allSettled([stack?.emulator.stop(), stack?.postgres.stop()]);
}
