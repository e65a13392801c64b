/** The credential a trigger request presents in its query: presigned AWS URLs, written as sent or percent-escaped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPresentedCredential } from '../../src/server/trigger/presented-credential.js';

const scope = 'AKIAIOSFODNN7EXAMPLE/20261129/eu-west-1/s3/aws4_request';

describe('readPresentedCredential from the query', () => {
  it('reads a SigV4 presigned URL', () => {
    const credential = readPresentedCredential({}, `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(scope)}&X-Amz-Signature=ab`);
    assert.equal(credential?.scheme, 'aws-sigv4');
    assert.equal(credential?.carrier, 'query');
    assert.equal(credential && 'accessKeyId' in credential ? credential.accessKeyId : undefined, 'AKIAIOSFODNN7EXAMPLE');
  });

  it('reads the key when it is percent-escaped, as URLSearchParams decodes it', () => {
    const credential = readPresentedCredential({}, `X%2DAmz%2DCredential=${encodeURIComponent(scope)}`);
    assert.equal(credential?.scheme, 'aws-sigv4');
  });

  it('reads a SigV2 presigned URL', () => {
    const credential = readPresentedCredential({}, 'AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1&Signature=x');
    assert.equal(credential?.scheme, 'aws-sigv2');
  });

  it('finds nothing in an ordinary query', () => {
    assert.equal(readPresentedCredential({}, 'q=1&utm_source=mail+campaign'), undefined);
    assert.equal(readPresentedCredential({}, ''), undefined);
  });
});
