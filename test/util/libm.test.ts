import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { libm } from '../../src/util/libm.ts';

const addonBuilt = existsSync(fileURLToPath(new URL('../../native/build/plasticd_blas.node', import.meta.url)));
const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;

describe('libm', () => {
  const hostExpected = addonBuilt && process.env.PLASTICD_LIBM !== 'js';
  it('is the C library, through the native addon, when the addon is built', { skip: hostExpected ? false : 'native addon not built, or PLASTICD_LIBM=js' }, () => {
    assert.equal(libm.source, 'host', libm.reason);
    assert.equal(libm.reason, '');
  });

  // Values Python computed on glibc 2.36 (math.sin, math.pow, numpy's np.float32 ** 2): each is the
  // one-ulp-off result that Gymnasium sees and that V8's Math or a correctly rounded x*x would not give.
  it('rounds as glibc where V8 and correct rounding do not', { skip: libm.source === 'host' && glibc !== undefined ? false : 'needs the host libm on glibc' }, () => {
    assert.equal(libm.sin(0.1447569739831378), 0.1442519497669475);
    assert.notEqual(Math.sin(0.1447569739831378), 0.1442519497669475);
    assert.equal(libm.cos(0.730348127187642), 0.7449422017442136);
    assert.equal(libm.pow(-0.08342444862456588, 2), 0.006959638628312833);
    assert.notEqual(-0.08342444862456588 * -0.08342444862456588, 0.006959638628312833);
    assert.equal(libm.pow(-2.583620631373167, 2), 6.675095566857081);
    assert.equal(libm.powf(-1.448901653289795, 2), 2.099316120147705);
    assert.equal(Math.fround(-1.448901653289795 * -1.448901653289795), 2.099315881729126);
  });

  it('computes exact cases exactly and passes special values through', () => {
    assert.equal(libm.pow(0.5, 2), 0.25);
    assert.equal(libm.pow(3, 2), 9);
    assert.equal(libm.powf(1.5, 2), 2.25);
    assert.ok(Object.is(libm.sin(-0), -0));
    assert.equal(libm.cos(0), 1);
    assert.ok(Number.isNaN(libm.sin(Number.NaN)) && Number.isNaN(libm.cos(Infinity)));
  });
});
