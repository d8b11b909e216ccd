// DOM helpers. User content only ever becomes text (textContent or text nodes), never markup:
// nothing in this client assigns innerHTML/outerHTML or calls insertAdjacentHTML.

/**
 * el('li', {class: 'x', dataset: {key: 'k'}, attrs: {'aria-label': 'y'}, text: 'z', on: {click: fn}}, ...children)
 * Children are nodes, strings (text nodes) or null/false (skipped).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') for (const [a, v] of Object.entries(value)) { if (v !== undefined && v !== null && v !== false) node.setAttribute(a, v === true ? '' : String(v)); }
    else if (key === 'on') for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    else node[key] = value; // DOM properties: type, value, disabled, hidden, title, href, ...
  }
  append(node, ...children);
  return node;
}

export function append(node, ...children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Replaces all children of node. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  return append(node, ...children);
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Shows text in an error/status region (role=alert or role=status), or clears and hides it. */
export function showMessage(region, text) {
  region.textContent = text || '';
  region.hidden = !text;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** A <time> for an ISO timestamp: the time today, the date and time otherwise. */
export function timeElement(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return el('time', { text: '' });
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return el('time', { attrs: { datetime: iso }, title: date.toLocaleString(),
    text: sameDay ? timeFormat.format(date) : dateTimeFormat.format(date) });
}

/** A presence dot (decorative) with its status as text for screen readers. */
export function presenceDot(status) {
  const s = status || 'unknown';
  return el('span', { class: 'presence', dataset: { status: s } },
    el('span', { class: 'dot', attrs: { 'aria-hidden': 'true' } }),
    el('span', { class: 'visually-hidden', text: s === 'unknown' ? 'status unknown' : s }));
}
