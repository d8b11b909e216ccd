// Keyed list rendering: reuses each item's element (so focus, scroll position and screen-reader live regions
// are not disturbed), creates the new ones, moves them into order and removes the ones that are gone.

/**
 * @param {Element} parent   the list element
 * @param {Array}   items    in display order
 * @param {(item) => string} keyOf
 * @param {(item) => Element} create  a new element for an item
 * @param {(element, item) => void} update  brings an element up to date (skip work when nothing changed)
 */
export function reconcile(parent, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of parent.children) existing.set(child.dataset.key, child);
  let previous = null;
  const keep = new Set();
  for (const item of items) {
    const key = keyOf(item);
    if (keep.has(key)) continue; // a duplicate key: shown once
    keep.add(key);
    let node = existing.get(key);
    if (!node) {
      node = create(item);
      node.dataset.key = key;
    }
    update(node, item);
    const wanted = previous ? previous.nextSibling : parent.firstChild;
    if (wanted !== node) parent.insertBefore(node, wanted);
    previous = node;
  }
  for (const [key, node] of existing) {
    if (!keep.has(key)) node.remove();
  }
}
