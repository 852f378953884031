// Keeps what a teacher writes in long text fields (reflections, minutes, problems,
// comments, feedback) in this browser while they write, so a reload, a failed submit, a
// dropped connection or a login that expired mid-writing loses nothing. Fields opt in
// with data-draft; drafts belong to the signed-in person (body[data-draft-scope]).
//
// A draft is cleared once the server confirms the save: the page reached from that form
// shows a success message. Until then it stays, and comes back into the empty field.

const PREFIX = "kompra-draft:";
const MAX_AGE = 30 * 24 * 3600 * 1000;
const scope = document.body.dataset.draftScope;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // private mode or storage disabled: the form simply works without drafts
  }
}

function read(store, key) {
  try {
    return JSON.parse(store.getItem(key));
  } catch {
    return null;
  }
}

function keyOf(field) {
  const action = field.form ? field.form.getAttribute("action") || "" : "";
  return `${PREFIX}${scope}:${location.pathname}:${action}:${field.name}`;
}

// The page we came to after submitting a form: a success message means it was saved.
function clearSaved(store) {
  const saved = document.querySelector('[data-message-level="success"]');
  let from = null;
  try {
    from = document.referrer ? new URL(document.referrer).pathname : null;
  } catch {
    from = null;
  }
  for (let i = store.length - 1; i >= 0; i--) {
    const key = store.key(i);
    if (!key || !key.startsWith(PREFIX)) continue;
    const draft = read(store, key);
    const stale = !draft || Date.now() - draft.at > MAX_AGE;
    if (stale || (saved && draft.sent && from === draft.page && key.startsWith(PREFIX + scope + ":"))) {
      store.removeItem(key);
    }
  }
}

function keep(store, field, extra) {
  const key = keyOf(field);
  if (field.value === field.defaultValue || !field.value.trim()) {
    store.removeItem(key);
    return;
  }
  const draft = { text: field.value, at: Date.now(), page: location.pathname, ...extra };
  try {
    store.setItem(key, JSON.stringify(draft));
  } catch {
    // storage full: writing goes on, only the safety net is missing
  }
}

function restore(store, fields) {
  const restored = [];
  for (const field of fields) {
    const draft = read(store, keyOf(field));
    if (draft && draft.text && draft.text !== field.value && field.value === field.defaultValue) {
      field.value = draft.text;
      restored.push(field);
    }
  }
  return restored;
}

function announce(form, fields, store) {
  const note = document.createElement("div");
  note.className = "alert alert-info d-flex flex-wrap gap-2 align-items-center py-2";
  note.setAttribute("role", "status");
  note.dataset.draftNote = "";
  const words = document.createElement("span");
  words.textContent = document.body.dataset.draftRestored;
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "btn btn-sm btn-outline-dark";
  discard.textContent = document.body.dataset.draftDiscard;
  discard.addEventListener("click", () => {
    for (const field of fields) {
      field.value = field.defaultValue;
      store.removeItem(keyOf(field));
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    note.remove();
  });
  note.append(words, discard);
  form.prepend(note);
}

function start() {
  const store = storage();
  if (!store || !scope) return;
  clearSaved(store);
  const forms = new Map();
  for (const field of document.querySelectorAll("textarea[data-draft]")) {
    if (!field.form || !field.name) continue;
    if (!forms.has(field.form)) forms.set(field.form, []);
    forms.get(field.form).push(field);
  }
  for (const [form, fields] of forms) {
    const restored = restore(store, fields);
    if (restored.length) announce(form, restored, store);
    let timer = null;
    form.addEventListener("input", (event) => {
      if (!fields.includes(event.target)) return;
      clearTimeout(timer);
      timer = setTimeout(() => keep(store, event.target), 300);
    });
    form.addEventListener("submit", () => {
      clearTimeout(timer);
      for (const field of fields) keep(store, field, { sent: true });
    });
  }
}

start();
