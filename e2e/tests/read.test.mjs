// Read state, unread counts, typing and the inbox in the web client (issue 12), with two browsers: unread badges
// that come from the server (after a reload, and in a second browser of the same user, cleared in both when the
// conversation is read in one), "Seen" under one's last message of a one-to-one chat, "… is typing", and the
// conversation list in the inbox's order. The steps run in order and share the browsers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CHAT_PORT, accessibilityViolations, contact, eventually, group, launchUser, messageWithText, screenshot, sendAndWait, signIn,
} from './support.mjs';

const RUN = Date.now().toString(36).slice(-5);
const CAROL = `carol_${RUN}`;
const DAVE = `dave_${RUN}`;
const HOME = `http://127.0.0.1:${CHAT_PORT}/`;

let carol; // { page, context, errors, close }
let dave;
let carol2; // carol's second browser
const daveFramesSent = [];

const badge = (item) => item.locator('.badge');

async function open(page, item, title) {
  await item.getByRole('button').click();
  await page.locator('#conversation-title', { hasText: title }).waitFor();
}

/** Back to the list: no conversation open, so nothing is read by looking at it. */
async function closeConversation(page) {
  await page.evaluate(() => { window.location.hash = ''; });
  await page.locator('#placeholder').waitFor();
}

async function groupOrder(page) {
  return page.locator('#group-list > li').evaluateAll((lis) => lis.map((li) => li.dataset.key.slice(2)));
}

async function createGroup(page, name) {
  if (!(await page.locator('#group-forms').evaluate((d) => d.open))) await page.locator('#group-forms summary').click();
  await page.getByLabel('New group name').fill(name);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.locator('#conversation-title').getByText(name, { exact: true }).waitFor();
  return (await page.locator('#conversation-subtitle .group-id').textContent()).trim();
}

async function joinGroup(page, groupId) {
  if (!(await page.locator('#group-forms').evaluate((d) => d.open))) await page.locator('#group-forms summary').click();
  await page.getByLabel('Join a group by its id').fill(groupId);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await group(page, groupId).waitFor();
}

describe('web client: read state, unread badges, Seen, typing, inbox order', () => {
  before(async () => {
    carol = await launchUser('carol');
    dave = await launchUser('dave');
    dave.page.on('websocket', (ws) => ws.on('framesent', (f) => daveFramesSent.push(String(f.payload))));
  });

  after(async () => {
    await carol?.close();
    await dave?.close();
    await carol2?.close();
  });

  test('unread badges come from the server: after a reload, and in a second browser of the same user', async () => {
    await signIn(carol.page, HOME, CAROL);
    await signIn(dave.page, HOME, DAVE);
    await dave.page.getByLabel('Find a user by name').fill(CAROL);
    await dave.page.locator('#search-results').getByRole('button', { name: `Chat with ${CAROL}` }).click();
    await dave.page.locator('#conversation-title', { hasText: CAROL }).waitFor();
    for (const text of ['one', 'two', 'three']) await sendAndWait(dave.page, `unread ${text}`);

    await badge(contact(carol.page, DAVE)).filter({ hasText: '3' }).waitFor();
    await carol.page.reload();
    await carol.page.locator('#me-name', { hasText: CAROL }).waitFor();
    await badge(contact(carol.page, DAVE)).filter({ hasText: '3' }).waitFor();
    assert.equal(await carol.page.title(), '(3) Chat');

    carol2 = await launchUser('carol-2');
    await signIn(carol2.page, HOME, CAROL, 'Log in');
    await badge(contact(carol2.page, DAVE)).filter({ hasText: '3' }).waitFor();
    await screenshot(carol2.page, 'read-01-second-browser-badge');

    // read in one browser: the badge goes in both, and stays gone after a reload
    await open(carol.page, contact(carol.page, DAVE), DAVE);
    await messageWithText(carol.page, 'unread three').waitFor();
    await badge(contact(carol.page, DAVE)).waitFor({ state: 'detached' });
    await badge(contact(carol2.page, DAVE)).waitFor({ state: 'detached' });
    await carol2.page.reload();
    await carol2.page.locator('#me-name', { hasText: CAROL }).waitFor();
    await contact(carol2.page, DAVE).waitFor();
    await carol2.page.locator('#connection[data-state="online"]').waitFor();
    assert.equal(await badge(contact(carol2.page, DAVE)).count(), 0);

    // a new message while neither browser shows the chat: a badge in both; read in one, gone in both
    await closeConversation(carol.page);
    await sendAndWait(dave.page, 'unread four');
    await badge(contact(carol.page, DAVE)).filter({ hasText: '1' }).waitFor();
    await badge(contact(carol2.page, DAVE)).filter({ hasText: '1' }).waitFor();
    await open(carol2.page, contact(carol2.page, DAVE), DAVE);
    await messageWithText(carol2.page, 'unread four').waitFor();
    await badge(contact(carol.page, DAVE)).waitFor({ state: 'detached' });
    await closeConversation(carol2.page);
    await open(carol.page, contact(carol.page, DAVE), DAVE);
    assert.deepEqual(await accessibilityViolations(carol2.page), [], 'accessibility: the list with badges');
    await carol2.close();
    carol2 = null;
  });

  test('"Seen" under my last message once the partner has read it', async () => {
    await closeConversation(dave.page);
    await sendAndWait(carol.page, 'did you see this?');
    const mine = messageWithText(carol.page, 'did you see this?');
    await badge(contact(dave.page, CAROL)).filter({ hasText: '1' }).waitFor();
    assert.equal(await carol.page.locator('#message-list .seen').count(), 0, 'not read yet: no Seen');

    await open(dave.page, contact(dave.page, CAROL), CAROL);
    await mine.locator('.seen', { hasText: 'Seen' }).waitFor();
    assert.equal(await carol.page.locator('#message-list .seen').count(), 1, 'only under the last own message');
    await screenshot(carol.page, 'read-02-seen');

    // a newer message of mine is not seen until read: the mark moves to it then
    await closeConversation(dave.page);
    await sendAndWait(carol.page, 'and this one?');
    await badge(contact(dave.page, CAROL)).filter({ hasText: '1' }).waitFor();
    assert.equal(await carol.page.locator('#message-list .seen').count(), 0);
    await open(dave.page, contact(dave.page, CAROL), CAROL);
    await messageWithText(carol.page, 'and this one?').locator('.seen').waitFor();
    assert.equal(await carol.page.locator('#message-list .seen').count(), 1);
  });

  test('"… is typing" in the open conversation: on while typing, off on send and on leaving the box', async () => {
    const typing = carol.page.locator('#typing');
    const input = dave.page.getByLabel('Message', { exact: true });
    await input.pressSequentially('I am wri', { delay: 40 });
    await typing.filter({ hasText: `${DAVE} is typing…` }).waitFor();
    assert.ok(daveFramesSent.some((f) => /"type":"TYPING"/.test(f) && /"typing":true/.test(f)));
    assert.equal(await dave.page.locator('#typing').textContent(), '', 'nobody is told of their own typing');
    await screenshot(carol.page, 'read-03-typing');
    assert.deepEqual(await accessibilityViolations(carol.page), [], 'accessibility: Seen and typing');
    await carol.page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await accessibilityViolations(carol.page), [], 'accessibility, dark: Seen and typing');
    await carol.page.emulateMedia({ colorScheme: 'light' });
    await input.pressSequentially('ting', { delay: 40 });
    await input.press('Enter');
    await messageWithText(carol.page, 'I am writing').waitFor();
    await eventually(async () => (await typing.textContent()) === '', { message: 'typing ends with the message' });

    await input.pressSequentially('more', { delay: 40 });
    await typing.filter({ hasText: 'is typing' }).waitFor();
    await dave.page.locator('#messages').click(); // the box loses the focus: typing:false
    await eventually(async () => (await typing.textContent()) === '', { timeout: 3000, message: 'typing ends on blur' });
    assert.ok(daveFramesSent.some((f) => /"type":"TYPING"/.test(f) && /"typing":false/.test(f)));
    await input.fill('');
  });

  test('the conversation list in the inbox order, moving on new messages, the same after a reload', async () => {
    const first = await createGroup(carol.page, `First ${RUN}`);
    const second = await createGroup(carol.page, `Second ${RUN}`);
    await joinGroup(dave.page, first);
    await joinGroup(dave.page, second);
    await open(dave.page, group(dave.page, first), `First ${RUN}`);
    await sendAndWait(dave.page, 'in the first');
    await open(dave.page, group(dave.page, second), `Second ${RUN}`);
    await sendAndWait(dave.page, 'in the second');
    await closeConversation(carol.page);
    await eventually(async () => JSON.stringify(await groupOrder(carol.page)) === JSON.stringify([second, first]),
      { message: 'second group on top' });

    await open(dave.page, group(dave.page, first), `First ${RUN}`);
    await sendAndWait(dave.page, 'the first again');
    await eventually(async () => JSON.stringify(await groupOrder(carol.page)) === JSON.stringify([first, second]),
      { message: 'the first group moves to the top on its new message' });
    await badge(group(carol.page, first)).filter({ hasText: '2' }).waitFor();

    await carol.page.reload();
    await carol.page.locator('#me-name', { hasText: CAROL }).waitFor();
    await group(carol.page, second).waitFor();
    assert.deepEqual(await groupOrder(carol.page), [first, second]);
    await badge(group(carol.page, first)).filter({ hasText: '2' }).waitFor();
    // the page's order is the inbox's (chats and groups together, each list keeping the inbox's order)
    const inbox = await carol.page.evaluate(async () => {
      const r = await fetch('/api/inbox', { headers: { Authorization: `Bearer ${localStorage.getItem('authToken')}` } });
      return r.json();
    });
    const inboxGroups = inbox.conversations.filter((c) => c.groupId).map((c) => c.groupId);
    assert.deepEqual(await groupOrder(carol.page), inboxGroups);
    const inboxChats = inbox.conversations.filter((c) => c.chatId).map((c) => c.with);
    const pageChats = await carol.page.locator('#contact-list > li').evaluateAll((lis) => lis.map((li) => li.dataset.key.slice(2)));
    assert.deepEqual(pageChats, inboxChats);
    await screenshot(carol.page, 'read-04-inbox-order');
  });

  test('no script errors in the pages', () => {
    assert.deepEqual(carol.errors, []);
    assert.deepEqual(dave.errors, []);
  });
});
