import { supplyChainProblems } from './audit';

const lock = (packages: Record<string, object>) => ({ packages: { '': {}, ...packages } });
const sha = 'sha512-abc';

describe('dependency audit: offline supply-chain rules', () => {
  test('exact versions, sha512 integrity and decided install scripts pass', () => {
    const manifest = { dependencies: { a: '1.2.3' }, devDependencies: { b: '17.10.0-beta.17' }, allowScripts: { b: true } };
    const packages = lock({
      'node_modules/a': { integrity: sha },
      'node_modules/b': { integrity: sha, hasInstallScript: true },
      'node_modules/@x/linux-arm': { integrity: sha, hasInstallScript: true, optional: true },
    });
    expect(supplyChainProblems(manifest, packages)).toEqual([]);
  });

  test.each([
    ['a version range', { dependencies: { a: '^1.2.3' } }, lock({}), /a@\^1.2.3: not pinned/],
    ['a git dependency', { dependencies: { a: 'github:x/a' } }, lock({}), /not pinned/],
    ['a package without integrity', {}, lock({ 'node_modules/a': {} }), /a: no sha512 integrity/],
    ['a sha1 integrity', {}, lock({ 'node_modules/a/node_modules/c': { integrity: 'sha1-x' } }), /^c: no sha512/],
    [
      'an install script nobody decided about',
      { allowScripts: {} },
      lock({ 'node_modules/evil': { integrity: sha, hasInstallScript: true } }),
      /evil: runs an install script/,
    ],
  ])('%s is a problem', (_case, manifest, packages, problem) => {
    expect(supplyChainProblems(manifest, packages)).toEqual([expect.stringMatching(problem)]);
  });
});
