// The web client's copy of the library (chat-verticle webroot/js/chatpresence) is exactly what the build gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { differences } from '../../scripts/webroot.mjs';

test('webroot/js/chatpresence is byte for byte dist/*.js (else: npm run build && npm run webroot)', () => {
  assert.deepEqual(differences(), []);
});
