import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emulatorJar } from './emulator';

/** Where the Pub/Sub emulator's jar is found: the env var, the known SDK roots, then gcloud's SDK root. */
describe('emulatorJar', () => {
  let dir: string;
  const sdkWithJar = (name: string): { root: string; jar: string } => {
    const root = path.join(dir, name);
    const lib = path.join(root, 'platform/pubsub-emulator/lib');
    mkdirSync(lib, { recursive: true });
    const jar = path.join(lib, 'cloud-pubsub-emulator-0.8.20-all.jar');
    writeFileSync(jar, '');
    return { root, jar };
  };
  const noGcloud = () => undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'emulator-jar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('PUBSUB_EMULATOR_JAR wins when the file exists', () => {
    const { jar } = sdkWithJar('custom');

    expect(emulatorJar({ env: { PUBSUB_EMULATOR_JAR: jar }, sdkRoot: noGcloud, knownRoots: [] })).toBe(jar);
  });

  test('the emulators image layout (/google-cloud-sdk) is found among the known roots', () => {
    const image = sdkWithJar('google-cloud-sdk');

    expect(emulatorJar({ env: {}, sdkRoot: noGcloud, knownRoots: [path.join(dir, 'usr-lib'), image.root] })).toBe(image.jar);
  });

  test('the SDK root gcloud reports is used when no known root has the jar', () => {
    const elsewhere = sdkWithJar('somewhere-else');

    expect(emulatorJar({ env: {}, sdkRoot: () => elsewhere.root, knownRoots: [path.join(dir, 'none')] })).toBe(elsewhere.jar);
  });

  test('without a jar the error names every place that was tried', () => {
    const missing = path.join(dir, 'missing.jar');
    const known = path.join(dir, 'known');

    expect(() => emulatorJar({ env: { PUBSUB_EMULATOR_JAR: missing }, sdkRoot: noGcloud, knownRoots: [known] })).toThrow(
      new RegExp(
        [missing, path.join(known, 'platform/pubsub-emulator/lib'), 'gcloud info']
          .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
          .join('.*'),
      ),
    );
  });
});
