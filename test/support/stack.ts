import type { RunningEmulator } from '../../scripts/stack/emulator';
import type { RunningPostgres } from '../../scripts/stack/postgres';

export const TEMPLATE_DB = 'shopflow_test_template';
export interface TestStack {
  postgres: RunningPostgres;
  emulator: RunningEmulator;
}
