// Two people chat through the web client in two headless Chromium browsers, as in issue 7: they register, see
// each other come online, exchange one-to-one and group messages, one loses the network (offline indicator,
// reconnect schedule, pending messages, catch-up with `after`) and comes back, a reload keeps the history,
// scroll-back pages with `before`, markup in messages stays text, one leaves a group, one closes the browser
// and the other sees it, logout and login with errors shown in place, and the narrow-screen layout.
// The steps run in order and share the two browsers. Screenshots: e2e/artifacts/*.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CHAT_PORT, PRESENCE_PORT, TcpProxy, accessibilityViolations, eventually, launchUser, screenshot,
} from './support.mjs';

const RUN = Date.now().toString(36).slice(-5);
const ALICE = `alice_${RUN}`;
const BOB = `bob_${RUN}`;
const PASSWORD = 'correct-horse-battery';
const PAGE_SIZE = 10; // small history pages, so that scroll-back needs several
const XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> <b>not bold</b> & "quotes"';
const GROUP_NAME = 'Book club <i>not italic</i>';

let alice; // { page, context, errors, close }
let bob;
let bobErrors = [];
let chatProxy; // alice reaches both servers through these, so the test can cut her network
let presenceProxy;
let groupId;
const aliceFramesSent = [];
let aliceFeatures = []; // the extensions the server enabled on alice's chat socket

const contact = (page, name) => page.locator(`#contact-list > li[data-key="u:${name}"]`);
const group = (page, id) => page.locator(`#group-list > li[data-key="g:${id}"]`);
const messages = (page) => page.locator('#message-list > li.message');
const messageWithText = (page, text) => page.locator('#message-list > li.message')
  .filter({ has: page.locator('.content', { hasText: text }) });

async function register(page, username, password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

async function send(page, text) {
  const input = page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

/** No WCAG 2.1 A/AA violation that axe-core can find in the page as it is now. */
async function accessible(page, where) {
  assert.deepEqual(await accessibilityViolations(page), [], `accessibility: ${where}`);
}

async function contentsOf(page) {
  return page.locator('#message-list > li.message .content').allTextContents();
}

describe('web client', () => {
  before(async () => {
    chatProxy = await new TcpProxy(CHAT_PORT).start();
    presenceProxy = await new TcpProxy(PRESENCE_PORT).start();
    alice = await launchUser('alice');
    bob = await launchUser('bob');
    alice.page.on('websocket', (ws) => {
      ws.on('framesent', (f) => aliceFramesSent.push(String(f.payload)));
      ws.on('framereceived', (f) => {
        const frame = JSON.parse(String(f.payload));
        if (frame.type === 'SUCCESS' && frame.msg === 'authenticated' && Array.isArray(frame.features)) {
          aliceFeatures = frame.features;
        }
      });
    });
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await chatProxy?.close();
    await presenceProxy?.close();
  });

  test('register, with errors shown in the form, and see each other come online', async () => {
    // alice opens the page through the proxies; the presence address comes from ?presence=
    await alice.page.goto(`http://127.0.0.1:${chatProxy.port}/?pageSize=${PAGE_SIZE}`
      + `&presence=${encodeURIComponent(`ws://127.0.0.1:${presenceProxy.port}/`)}`);
    // bob opens it directly; the presence port comes from /config.json
    await bob.page.goto(`http://127.0.0.1:${CHAT_PORT}/?pageSize=${PAGE_SIZE}`);

    await register(alice.page, ALICE, 'short');
    await alice.page.locator('#auth-error').getByText('password must be 8 to 128 characters').waitFor();
    await accessible(alice.page, 'the login form with an error');
    await alice.page.getByLabel('Password').fill(PASSWORD);
    await alice.page.getByRole('button', { name: 'Create account' }).click();
    await alice.page.locator('#me-name', { hasText: ALICE }).waitFor();
    assert.equal(await alice.page.evaluate(() => localStorage.getItem('username')), ALICE);
    assert.ok(await alice.page.evaluate(() => localStorage.getItem('authToken')));

    await register(bob.page, ALICE, PASSWORD); // taken
    await bob.page.locator('#auth-error').getByText('is taken').waitFor();
    await register(bob.page, BOB, PASSWORD);
    await bob.page.locator('#me-name', { hasText: BOB }).waitFor();

    await alice.page.locator('#connection[data-state="online"]').waitFor();
    await bob.page.locator('#connection[data-state="online"]').waitFor();

    // alice finds bob and starts a chat: they become contacts and see each other online
    await alice.page.getByLabel('Find a user by name').fill(`bob_${RUN}`);
    await alice.page.locator('#search-results').getByRole('button', { name: `Chat with ${BOB}` }).click();
    await alice.page.locator('#conversation-title', { hasText: BOB }).waitFor();
    await contact(alice.page, BOB).and(alice.page.locator('[data-status="online"]')).waitFor();
    await contact(bob.page, ALICE).and(bob.page.locator('[data-status="online"]')).waitFor();
    await alice.page.locator('#conversation-subtitle', { hasText: 'online' }).waitFor();
    await accessible(alice.page, 'a new chat');
    await screenshot(alice.page, '01-alice-sees-bob-online');
    await screenshot(bob.page, '01-bob-sees-alice-online');
  });

  test('one-to-one messages both ways, live, and markup stays text', async () => {
    await send(alice.page, 'Hello Bob!\nHow are you?');
    const mine = messageWithText(alice.page, 'Hello Bob!');
    await mine.and(alice.page.locator('[data-status="sent"]')).waitFor();
    assert.match(await mine.getAttribute('data-message-id'), /^msg_\d+$/);
    assert.ok(await mine.evaluate((li) => li.classList.contains('mine')));

    // bob has no chat open: an unread badge on alice, then the message when he opens it
    await contact(bob.page, ALICE).locator('.badge', { hasText: '1' }).waitFor();
    await contact(bob.page, ALICE).getByRole('button').click();
    await bob.page.locator('#conversation-title', { hasText: ALICE }).waitFor();
    await messageWithText(bob.page, 'Hello Bob!').waitFor();
    assert.equal((await contentsOf(bob.page)).at(-1), 'Hello Bob!\nHow are you?');
    await contact(bob.page, ALICE).locator('.badge').waitFor({ state: 'detached' });

    await send(bob.page, XSS);
    await messageWithText(bob.page, '<script>').and(bob.page.locator('[data-status="sent"]')).waitFor();
    await messageWithText(alice.page, '<script>').waitFor();
    for (const p of [alice.page, bob.page]) {
      assert.equal((await contentsOf(p)).at(-1), XSS, 'the message shows exactly what was typed');
      assert.equal(await p.locator('#message-list script, #message-list img, #message-list b').count(), 0);
      assert.equal(await p.locator('#sidebar script, #sidebar img, #sidebar b').count(), 0);
      assert.equal(await p.evaluate(() => window.__pwned), undefined, 'no injected code ran');
    }
    await contact(alice.page, BOB).locator('.conv-preview', { hasText: '<script>' }).waitFor();

    await send(alice.page, 'Fine, thanks 🙂');
    await messageWithText(bob.page, 'Fine, thanks').waitFor();
    await accessible(alice.page, 'a one-to-one chat');
    await accessible(bob.page, 'a one-to-one chat');
    await screenshot(alice.page, '02-alice-one-to-one');
    await screenshot(bob.page, '02-bob-one-to-one');
  });

  test('groups: create, join by id (bad id shown in place), messages both ways', async () => {
    await alice.page.locator('#group-forms summary').click();
    await alice.page.getByLabel('New group name').fill(GROUP_NAME);
    await alice.page.getByRole('button', { name: 'Create', exact: true }).click();
    await alice.page.locator('#conversation-title').getByText(GROUP_NAME, { exact: true }).waitFor();
    groupId = (await alice.page.locator('#conversation-subtitle .group-id').textContent()).trim();
    assert.match(groupId, /^group_/);
    assert.equal(await alice.page.locator('#conversation-title i').count(), 0);
    await alice.page.locator('#messages-empty').waitFor();

    await bob.page.locator('#group-forms summary').click();
    await bob.page.getByLabel('Join a group by its id').fill('not a valid id!');
    await bob.page.getByRole('button', { name: 'Join', exact: true }).click();
    await bob.page.locator('#join-group-error', { hasText: 'Could not join' }).waitFor();
    await bob.page.getByLabel('Join a group by its id').fill(groupId);
    await bob.page.getByRole('button', { name: 'Join', exact: true }).click();
    await bob.page.locator('#conversation-title').getByText(GROUP_NAME, { exact: true }).waitFor();
    await group(bob.page, groupId).waitFor();
    await bob.page.locator('#join-group-error').waitFor({ state: 'hidden' });

    await alice.page.locator('#message-list > li.info', { hasText: `${BOB} joined the group` }).waitFor();
    await alice.page.locator('#conversation-subtitle', { hasText: '2 members' }).waitFor();

    await send(bob.page, 'Hi club, which book first?');
    await messageWithText(alice.page, 'which book first').waitFor();
    await send(alice.page, 'Dune!');
    await messageWithText(bob.page, 'Dune!').waitFor();
    await messageWithText(alice.page, 'Dune!').and(alice.page.locator('[data-status="sent"]')).waitFor();
    const author = await messageWithText(bob.page, 'Dune!').locator('.author').textContent();
    assert.equal(author, ALICE);
    await accessible(alice.page, 'a group, with the group forms open');
    await screenshot(alice.page, '03-alice-group');
    await screenshot(bob.page, '03-bob-group');
  });

  test('network drop: offline indicator, retry schedule, pending until SUCCESS, catch-up with after', async () => {
    // alice is in the group; bob goes to their one-to-one chat
    await contact(bob.page, ALICE).getByRole('button').click();
    await bob.page.locator('#conversation-title', { hasText: ALICE }).waitFor();

    chatProxy.cut();
    presenceProxy.cut();
    await alice.page.locator('#connection[data-state="offline"]', { hasText: 'attempt 1 of 5' }).waitFor();
    await send(alice.page, 'written while offline');
    const waiting = messageWithText(alice.page, 'written while offline');
    await waiting.and(alice.page.locator('[data-status="pending"]')).waitFor();
    await waiting.getByText('Waiting for the connection').waitFor();
    await accessible(alice.page, 'offline, with a pending message');
    await screenshot(alice.page, '04-alice-offline');

    // bob sees alice go offline (after the server's 3 s grace period) and writes while she is away
    await contact(bob.page, ALICE).and(bob.page.locator('[data-status="offline"]')).waitFor({ timeout: 20000 });
    await bob.page.locator('#conversation-subtitle', { hasText: 'offline' }).waitFor();
    await screenshot(bob.page, '04-bob-sees-alice-offline');
    await send(bob.page, 'missed one');
    await send(bob.page, 'missed two');
    await messageWithText(bob.page, 'missed two').and(bob.page.locator('[data-status="sent"]')).waitFor();
    await group(bob.page, groupId).getByRole('button').click();
    await send(bob.page, 'missed in the group');
    await messageWithText(bob.page, 'missed in the group').and(bob.page.locator('[data-status="sent"]')).waitFor();
    assert.equal(await messages(alice.page).filter({ hasText: 'missed' }).count(), 0, 'alice is really offline');

    // the network comes back: alice reconnects on the client document's schedule (2 s, 4 s, 6 s, ...)
    const refusedBeforeRestore = [...chatProxy.refused];
    const cutAt = chatProxy.cutAt;
    chatProxy.restore();
    presenceProxy.restore();
    await alice.page.locator('#connection[data-state="online"]').waitFor({ timeout: 45000 });
    assert.ok(refusedBeforeRestore.length >= 1, 'at least one reconnect attempt while offline');
    const gaps = [refusedBeforeRestore[0] - cutAt, ...refusedBeforeRestore.slice(1).map((t, i) => t - refusedBeforeRestore[i])];
    gaps.forEach((gap, i) => {
      const expected = 2000 * (i + 1);
      assert.ok(gap >= expected - 100 && gap < expected + 3000, `attempt ${i + 1} after ${gap} ms, expected ~${expected} ms`);
    });

    // the pending message got its SUCCESS; the group's missed message came with `after`
    await waiting.and(alice.page.locator('[data-status="sent"]')).waitFor();
    await messageWithText(alice.page, 'missed in the group').waitFor();
    if (aliceFeatures.includes('sync')) {
      // the server has SYNC: one call since the token for every conversation (edit.test.mjs tests it further)
      assert.ok(aliceFramesSent.some((f) => /"type":"SYNC"/.test(f) && /"since":"/.test(f)),
        'catch-up asked for the events since its token');
    } else {
      assert.ok(aliceFramesSent.some((f) => /"type":"GET_GROUP_CHAT_HISTORY"/.test(f) && /"after":"msg_\d+"/.test(f)),
        'catch-up asked for the messages after the last one it had');
    }
    // the one-to-one chat, not open, was caught up too: an unread badge, and the messages when opened
    await contact(alice.page, BOB).locator('.badge', { hasText: '2' }).waitFor();
    await contact(alice.page, BOB).getByRole('button').click();
    await messageWithText(alice.page, 'missed two').waitFor();
    const texts = await contentsOf(alice.page);
    assert.deepEqual(texts.filter((t) => t.startsWith('missed')), ['missed one', 'missed two'], 'each once, in order');
    await messageWithText(bob.page, 'written while offline').waitFor(); // a group message: bob has the group open
    await contact(bob.page, ALICE).and(bob.page.locator('[data-status="online"]')).waitFor({ timeout: 20000 });
    await screenshot(alice.page, '05-alice-reconnected');
  });

  test('a reload keeps the login and the history; scroll-back pages through it with before', async () => {
    // enough messages for three pages of PAGE_SIZE
    await contact(bob.page, ALICE).getByRole('button').click();
    await bob.page.locator('#conversation-title', { hasText: ALICE }).waitFor();
    for (let i = 1; i <= 30; i++) await send(bob.page, `numbered ${i}`);
    await messageWithText(bob.page, 'numbered 30').and(bob.page.locator('[data-status="sent"]')).waitFor();
    await messageWithText(alice.page, 'numbered 30').waitFor();
    const before = await contentsOf(alice.page);
    assert.equal(before.length, 35);

    await alice.page.reload();
    await alice.page.locator('#me-name', { hasText: ALICE }).waitFor();
    await alice.page.locator('#conversation-title', { hasText: BOB }).waitFor(); // the open chat is in the URL
    await messageWithText(alice.page, 'numbered 30').waitFor();
    // the newest page, and more pages only as far as needed to fill the view
    await alice.page.getByRole('button', { name: 'Load older messages' }).waitFor();
    const shown = await messages(alice.page).count();
    assert.ok(shown % PAGE_SIZE === 0 && shown < before.length, `${shown} messages shown after the reload`);
    assert.ok(await alice.page.locator('#messages').evaluate((box) => box.scrollHeight > box.clientHeight));

    // scrolling to the top loads the page before; the button loads the next
    await alice.page.locator('#messages').evaluate((box) => { box.scrollTop = 0; });
    await eventually(async () => (await messages(alice.page).count()) > shown,
      { message: 'an older page after scrolling up' });
    const older = alice.page.getByRole('button', { name: 'Load older messages' });
    const beginning = alice.page.getByText('This is the beginning of the conversation.');
    for (;;) {
      const edge = await eventually(async () => ((await older.isVisible()) && 'more')
        || ((await beginning.isVisible()) && 'start'), { message: 'a settled history edge' });
      if (edge === 'start') break;
      const count = await messages(alice.page).count();
      // the button's own handler (a pointer click would first scroll it into view, and reaching the top
      // already loads the page before: that path is the scroll above)
      await older.dispatchEvent('click');
      await eventually(async () => (await messages(alice.page).count()) > count, { message: 'an older page' });
    }
    assert.deepEqual(await contentsOf(alice.page), before, 'the whole history, once each, in order');
    assert.equal((await contentsOf(alice.page))[0], 'Hello Bob!\nHow are you?');
    assert.ok(aliceFramesSent.some((f) => /"before":"msg_\d+"/.test(f)), 'scroll-back used before');
    await screenshot(alice.page, '06-alice-after-reload-and-scroll-back');
  });

  test('leaving a group; a second tab that still shows it gets the error in place', async () => {
    // bob's second tab: same login (localStorage), the group open from the URL
    const tab = await bob.context.newPage();
    tab.on('pageerror', (e) => bob.errors.push(`bob's second tab: ${e.message}`));
    await tab.goto(`http://127.0.0.1:${CHAT_PORT}/?pageSize=${PAGE_SIZE}#g/${encodeURIComponent(groupId)}`);
    await tab.locator('#conversation-title').getByText(GROUP_NAME, { exact: true }).waitFor();
    await tab.locator('#connection[data-state="online"]').waitFor();

    await group(bob.page, groupId).getByRole('button').click();
    await bob.page.getByRole('button', { name: 'Leave group' }).click();
    await group(bob.page, groupId).waitFor({ state: 'detached' });
    await bob.page.locator('#sidebar-status', { hasText: 'You left' }).waitFor();
    await bob.page.locator('#placeholder').waitFor();

    await group(alice.page, groupId).getByRole('button').click();
    await alice.page.locator('#message-list > li.info', { hasText: `${BOB} left the group` }).waitFor();

    await send(tab, 'am I still in?');
    const failed = messageWithText(tab, 'am I still in?');
    await failed.and(tab.locator('[data-status="failed"]')).waitFor();
    await failed.getByText('FORBIDDEN').waitFor();
    await failed.getByRole('button', { name: 'Retry' }).waitFor();
    await accessible(tab, 'a message that failed');
    await screenshot(tab, '07-bob-second-tab-send-failed');
    await failed.getByRole('button', { name: 'Discard' }).click();
    await failed.waitFor({ state: 'detached' });
    await tab.close();
    assert.equal(await messages(alice.page).filter({ hasText: 'am I still in?' }).count(), 0);
  });

  test('one closes the browser; the other sees them go offline', async () => {
    await contact(alice.page, BOB).and(alice.page.locator('[data-status="online"]')).waitFor();
    bobErrors = bob.errors;
    await bob.close();
    bob = null;
    await contact(alice.page, BOB).and(alice.page.locator('[data-status="offline"]')).waitFor({ timeout: 20000 });
    await screenshot(alice.page, '08-alice-sees-bob-offline');
  });

  test('log out, then log in again with a wrong password shown in place', async () => {
    await alice.page.getByRole('button', { name: 'Log out' }).click();
    await alice.page.locator('#auth-view').waitFor();
    await alice.page.locator('#auth-notice', { hasText: 'You have logged out.' }).waitFor();
    assert.equal(await alice.page.evaluate(() => localStorage.getItem('authToken')), null);
    assert.equal(await alice.page.locator('#connection').getAttribute('data-state'), 'idle');

    await alice.page.getByLabel('Username').fill(ALICE);
    await alice.page.getByLabel('Password').fill('wrong-password');
    await alice.page.getByRole('button', { name: 'Log in' }).click();
    await alice.page.locator('#auth-error', { hasText: 'Wrong username or password.' }).waitFor();
    await accessible(alice.page, 'the login form after a logout and a wrong password');
    await screenshot(alice.page, '09-login-error');

    await alice.page.getByLabel('Password').fill(PASSWORD);
    await alice.page.getByRole('button', { name: 'Log in' }).click();
    await alice.page.locator('#me-name', { hasText: ALICE }).waitFor();
    await contact(alice.page, BOB).and(alice.page.locator('[data-status="offline"]')).waitFor();
    await contact(alice.page, BOB).getByRole('button').click();
    await messageWithText(alice.page, 'numbered 30').waitFor();
  });

  test('narrow screen: one pane at a time, with a way back', async () => {
    await alice.page.setViewportSize({ width: 390, height: 780 });
    await alice.page.locator('#conversation-title', { hasText: BOB }).waitFor();
    assert.equal(await alice.page.locator('#sidebar').isVisible(), false);
    await accessible(alice.page, 'a narrow conversation');
    await screenshot(alice.page, '10-narrow-conversation');
    await alice.page.getByRole('button', { name: 'Back to contacts and groups' }).click();
    await alice.page.locator('#sidebar').waitFor();
    assert.equal(await alice.page.locator('#conversation').isVisible(), false);
    await accessible(alice.page, 'the narrow list');
    await screenshot(alice.page, '10-narrow-list');
    // nothing sticks out sideways
    assert.ok(await alice.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  });

  test('dark colour scheme', async () => {
    await alice.page.setViewportSize({ width: 1280, height: 800 });
    await alice.page.emulateMedia({ colorScheme: 'dark' });
    await contact(alice.page, BOB).getByRole('button').click();
    await messageWithText(alice.page, 'numbered 30').waitFor();
    await accessible(alice.page, 'dark: a one-to-one chat');
    await screenshot(alice.page, '11-dark');
  });

  test('no script errors in the pages', () => {
    assert.deepEqual(alice.errors, []);
    assert.deepEqual(bob?.errors ?? bobErrors, []);
  });
});
