/** A driver error as one line, the password masked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError } from '../../src/sql/describe-error.js';

describe('describeError', () => {
  it('folds a multi-line message onto one line', () => {
    assert.equal(describeError(new Error('relation "x"\n  does not exist\n')), 'relation "x" does not exist');
  });

  it('masks the password wherever a driver echoes it', () => {
    const error = new Error('password authentication failed for s3cret (s3cret)');
    assert.equal(describeError(error, 's3cret'), 'password authentication failed for *** (***)');
    assert.equal(describeError(error, ''), 'password authentication failed for s3cret (s3cret)');
  });

  it('lists the errors of an AggregateError without a message (one per address tried)', () => {
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    const error = new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432')], '');
    assert.equal(describeError(error), 'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('falls back on the code, then the name, of an error without a message', () => {
    assert.equal(describeError(Object.assign(new Error(''), { code: 'ETIMEDOUT' })), 'ETIMEDOUT');
    assert.equal(describeError(new TypeError('')), 'TypeError');
    assert.equal(describeError('plain text'), 'plain text');
  });
});
