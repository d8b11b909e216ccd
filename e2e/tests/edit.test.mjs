// Edit and delete, the catch-up by SYNC, and blocking in the web client (issue 13), with two browsers: edits and
// deletions live and after a reload ("(edited)", "message deleted"), the group owner's delete, edits and a
// deletion made while the other browser is offline and seen once it is back (one SYNC, no history call per
// conversation), and block/unblock from a chat's header. A step needs the server's part: the `edit` and `sync`
// features in the AUTH answer, /api/blocks; it is skipped (with the reason) on a server without it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CHAT_PORT, PRESENCE_PORT, TcpProxy, accessibilityViolations, contact, eventually, group, launchUser, messageWithText,
  screenshot, sendAndWait, signIn,
} from './support.mjs';

const RUN = Date.now().toString(36).slice(-5);
const ERIN = `erin_${RUN}`;
const FRANK = `frank_${RUN}`;

let erin; // erin reaches the servers through the proxies, so that the test can cut her network
let frank;
let chatProxy;
let presenceProxy;
let features = []; // what the server enabled on erin's socket
let blocksAvailable = false;
const erinFramesSent = [];

const messageById = (page, id) => page.locator(`#message-list > li.message[data-message-id="${id}"]`);

async function edit(page, id, text) {
  await messageById(page, id).getByRole('button', { name: 'Edit this message' }).click();
  await page.locator('#editing').waitFor();
  const input = page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
  await messageById(page, id).locator('.content', { hasText: text }).waitFor();
}

/** Delete, then "Yes, delete" in the confirmation that replaces the buttons. */
async function remove(page, id, name = /^Delete this message/) {
  await messageById(page, id).getByRole('button', { name }).click();
  await messageById(page, id).getByText('Delete this message?').waitFor();
  await messageById(page, id).getByRole('button', { name: 'Yes, delete' }).click();
  await messageById(page, id).locator('.tombstone').waitFor();
}

/** Skips a step whose server part is missing; REQUIRE_EXTENSIONS=1 (once all have landed) makes that a failure. */
function needs(t, what) {
  const missing = what.filter((f) => (f === 'blocks' ? !blocksAvailable : !features.includes(f)));
  if (missing.length && process.env.REQUIRE_EXTENSIONS === '1') assert.fail(`the server does not offer ${missing.join(', ')}`);
  if (missing.length) t.skip(`the server does not offer ${missing.join(', ')} yet`);
  return missing.length === 0;
}

describe('web client: edit and delete, SYNC catch-up, blocking', () => {
  before(async () => {
    chatProxy = await new TcpProxy(CHAT_PORT).start();
    presenceProxy = await new TcpProxy(PRESENCE_PORT).start();
    erin = await launchUser('erin');
    frank = await launchUser('frank');
    erin.page.on('websocket', (ws) => {
      ws.on('framesent', (f) => erinFramesSent.push(String(f.payload)));
      ws.on('framereceived', (f) => {
        const frame = JSON.parse(String(f.payload));
        if (frame.type === 'SUCCESS' && frame.msg === 'authenticated' && Array.isArray(frame.features)) features = frame.features;
      });
    });
    await signIn(erin.page, `http://127.0.0.1:${chatProxy.port}/`
      + `?presence=${encodeURIComponent(`ws://127.0.0.1:${presenceProxy.port}/`)}`, ERIN);
    await signIn(frank.page, `http://127.0.0.1:${CHAT_PORT}/`, FRANK);
    blocksAvailable = await erin.page.evaluate(async () => (await fetch('/api/blocks',
      { headers: { Authorization: `Bearer ${localStorage.getItem('authToken')}` } })).status === 200);
    await frank.page.getByLabel('Find a user by name').fill(ERIN);
    await frank.page.locator('#search-results').getByRole('button', { name: `Chat with ${ERIN}` }).click();
    await frank.page.locator('#conversation-title', { hasText: ERIN }).waitFor();
  });

  after(async () => {
    await erin?.close();
    await frank?.close();
    await chatProxy?.close();
    await presenceProxy?.close();
  });

  test('edit and delete one\'s own messages: live on the other side, "(edited)" and "message deleted" after a reload', async (t) => {
    if (!needs(t, ['edit'])) return;
    const first = await sendAndWait(frank.page, 'frist message');
    const second = await sendAndWait(frank.page, 'a message to take back');
    await contact(erin.page, FRANK).getByRole('button').click();
    await messageById(erin.page, second).waitFor();
    // someone else's messages have neither button
    assert.equal(await messageById(erin.page, first).getByRole('button').count(), 0);

    await edit(frank.page, first, 'first message');
    await messageById(erin.page, first).locator('.content', { hasText: 'first message' }).waitFor();
    await messageById(erin.page, first).locator('.edited', { hasText: '(edited)' }).waitFor();
    await remove(frank.page, second);
    await messageById(erin.page, second).locator('.tombstone', { hasText: 'message deleted' }).waitFor();
    assert.equal(await messageById(erin.page, second).locator('.content').count(), 0, 'no text left');
    await screenshot(erin.page, 'edit-01-edited-and-deleted');
    assert.deepEqual(await accessibilityViolations(frank.page), [], 'accessibility: messages with their actions');
    assert.deepEqual(await accessibilityViolations(erin.page), [], 'accessibility: edited and deleted');
    await erin.page.emulateMedia({ colorScheme: 'dark' });
    await frank.page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await accessibilityViolations(erin.page), [], 'accessibility, dark: edited and deleted');
    assert.deepEqual(await accessibilityViolations(frank.page), [], 'accessibility, dark: messages with their actions');
    await erin.page.emulateMedia({ colorScheme: 'light' });
    await frank.page.emulateMedia({ colorScheme: 'light' });

    await erin.page.reload();
    await erin.page.locator('#me-name', { hasText: ERIN }).waitFor();
    await messageById(erin.page, first).locator('.edited').waitFor();
    assert.equal(await messageById(erin.page, first).locator('.content').textContent(), 'first message');
    await messageById(erin.page, second).locator('.tombstone').waitFor();
    await erin.page.locator('#connection[data-state="online"]').waitFor();
  });

  test('the group\'s owner deletes a member\'s message; a member cannot delete the owner\'s', async (t) => {
    if (!needs(t, ['edit'])) return;
    await erin.page.locator('#group-forms summary').click();
    await erin.page.getByLabel('New group name').fill(`Owners ${RUN}`);
    await erin.page.getByRole('button', { name: 'Create', exact: true }).click();
    const groupId = (await erin.page.locator('#conversation-subtitle .group-id').textContent()).trim();
    await frank.page.locator('#group-forms summary').click();
    await frank.page.getByLabel('Join a group by its id').fill(groupId);
    await frank.page.getByRole('button', { name: 'Join', exact: true }).click();
    await group(frank.page, groupId).waitFor();
    const ownerMessage = await sendAndWait(erin.page, 'house rules: be nice');
    const spam = await sendAndWait(frank.page, 'buy cheap watches');
    await messageById(frank.page, ownerMessage).waitFor();
    assert.equal(await messageById(frank.page, ownerMessage).getByRole('button').count(), 0);
    // "Keep it" keeps it
    await messageById(erin.page, spam).getByRole('button', { name: `Delete this message of ${FRANK}` }).click();
    await messageById(erin.page, spam).getByRole('button', { name: 'Keep it' }).click();
    await messageById(erin.page, spam).getByRole('button', { name: `Delete this message of ${FRANK}` }).waitFor();
    await remove(erin.page, spam, `Delete this message of ${FRANK}`);
    await messageById(frank.page, spam).locator('.tombstone').waitFor();
  });

  test('edits and a deletion while one browser is offline: seen once it is back, by one SYNC', async (t) => {
    if (!needs(t, ['edit', 'sync'])) return;
    await contact(frank.page, ERIN).getByRole('button').click();
    await frank.page.locator('#conversation-title', { hasText: ERIN }).waitFor();
    const keep = await sendAndWait(frank.page, 'to be edited offline');
    const gone = await sendAndWait(frank.page, 'to be deleted offline');
    await contact(erin.page, FRANK).getByRole('button').click();
    await messageById(erin.page, gone).waitFor();

    chatProxy.cut();
    presenceProxy.cut();
    await erin.page.locator('#connection[data-state="offline"]').waitFor();
    const sentBefore = erinFramesSent.length;
    await edit(frank.page, keep, 'edited while erin was away');
    await remove(frank.page, gone);
    const missed = await sendAndWait(frank.page, 'sent while erin was away');
    assert.equal(await messageById(erin.page, keep).locator('.content').textContent(), 'to be edited offline',
      'erin is really offline');

    chatProxy.restore();
    presenceProxy.restore();
    await erin.page.locator('#connection[data-state="online"]').waitFor({ timeout: 45000 });
    await messageById(erin.page, keep).locator('.content', { hasText: 'edited while erin was away' }).waitFor();
    await messageById(erin.page, keep).locator('.edited').waitFor();
    await messageById(erin.page, gone).locator('.tombstone').waitFor();
    await messageById(erin.page, missed).waitFor();
    const after = erinFramesSent.slice(sentBefore).map((f) => JSON.parse(f));
    assert.ok(after.some((f) => f.type === 'SYNC' && typeof f.since === 'string'), 'caught up by SYNC since a token');
    assert.deepEqual(after.filter((f) => /^GET_.*HISTORY$/.test(f.type)), [], 'no history call per conversation');
    assert.equal(await erin.page.locator('#message-list .content', { hasText: 'sent while erin was away' }).count(), 1, 'once');
    await screenshot(erin.page, 'edit-02-caught-up-by-sync');
  });

  test('block and unblock from a chat\'s header', async (t) => {
    if (!needs(t, ['blocks'])) return;
    await contact(erin.page, FRANK).getByRole('button').click();
    await erin.page.locator('#conversation-title', { hasText: FRANK }).waitFor();
    await contact(frank.page, ERIN).getByRole('button').click();
    await frank.page.locator('#conversation-title', { hasText: ERIN }).waitFor();
    await contact(frank.page, ERIN).and(frank.page.locator('[data-status="online"]')).waitFor();
    await erin.page.getByRole('button', { name: `Block ${FRANK}` }).click();
    await erin.page.getByRole('button', { name: `Unblock ${FRANK}` }).waitFor();
    await erin.page.locator('#blocked-note', { hasText: `You blocked ${FRANK}` }).waitFor();
    await screenshot(erin.page, 'edit-03-blocked');

    // frank sees erin offline, and his message is refused, shown in place
    await contact(frank.page, ERIN).and(frank.page.locator('[data-status="offline"]')).waitFor();
    const input = frank.page.getByLabel('Message', { exact: true });
    await input.fill('can you hear me?');
    await input.press('Enter');
    const refused = messageWithText(frank.page, 'can you hear me?');
    await refused.and(frank.page.locator('[data-status="failed"]')).waitFor();
    await refused.getByText('FORBIDDEN').waitFor();
    assert.equal(await messageWithText(erin.page, 'can you hear me?').count(), 0);

    await erin.page.reload();
    await erin.page.getByRole('button', { name: `Unblock ${FRANK}` }).click();
    await erin.page.getByRole('button', { name: `Block ${FRANK}` }).waitFor();
    await contact(frank.page, ERIN).and(frank.page.locator('[data-status="online"]')).waitFor();
    await refused.getByRole('button', { name: 'Retry' }).click();
    await messageWithText(erin.page, 'can you hear me?').waitFor();
  });

  test('no script errors in the pages', () => {
    assert.deepEqual(erin.errors, []);
    assert.deepEqual(frank.errors, []);
  });
});
