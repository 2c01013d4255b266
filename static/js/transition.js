// Transition's own behaviour, kept out of the HTML: the Content-Security-Policy
// runs no inline script and no on*="" handler attribute.

// <form data-confirm="Question?">: ask before submitting; Cancel leaves the page as it is.
// Listening on the document also covers forms that htmx swaps in later.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) {
    return;
  }
  if (!window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Errors are never silent. When htmx gets an error answer (403, 404, 500) or no
// answer at all, nothing was saved: say why in the page's #messages region and put
// the control back to the value the page was rendered with. Refusals the server
// answers in place (a row with its error, 200) are swapped in as usual.
const NETWORK_ERROR = "The server could not be reached; nothing was saved.";
const STATUS_ERRORS = {
  401: "Your session has ended; nothing was saved.",
  403: "You are not allowed to do this; nothing was saved.",
  404: "This item no longer exists; nothing was saved. Reload the page.",
  409: "Someone else changed this first; nothing was saved. Reload the page.",
};
const SERVER_ERROR = "The server failed; nothing was saved. Try again, or reload the page.";

// Closing an alert removes its close button, and focus with it: focus goes back to the
// control the error was about, else to the page's main region.
const alertReturnFocus = new WeakMap();

document.addEventListener("close.bs.alert", (event) => {
  const alert = event.target;
  if (!(alert instanceof Element) || !alert.contains(document.activeElement)) {
    return;
  }
  const back = alertReturnFocus.get(alert);
  const target = back && back.isConnected ? back : document.getElementById("main");
  if (target) {
    target.focus({ preventScroll: true });
  }
});

// The control inside `elt` (the element that sent an htmx request) that has focus, or `elt`.
function controlIn(elt) {
  const active = document.activeElement;
  return elt instanceof Element && elt.contains(active) ? active : elt;
}

// The alert is announced (role="alert") without taking focus from `control`.
function showError(text, control) {
  const region = document.getElementById("messages");
  if (!region) {
    window.alert(text);
    return;
  }
  const alert = document.createElement("div");
  alert.className = "alert alert-danger alert-dismissible fade show";
  alert.setAttribute("role", "alert");
  alert.dataset.testid = "htmx-error";
  alert.append(document.createTextNode(text));
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.dataset.bsDismiss = "alert";
  close.setAttribute("aria-label", "Close");
  alert.append(close);
  region.append(alert);
  if (control instanceof Element) {
    alertReturnFocus.set(alert, control);
  }
}

// The reason in the server's answer: our error pages mark it with data-error-reason;
// a short plain-text body is the message itself.
function reasonIn(xhr) {
  const type = xhr.getResponseHeader("Content-Type") || "";
  const body = xhr.responseText || "";
  if (type.startsWith("text/html")) {
    const doc = new DOMParser().parseFromString(body, "text/html");
    const reason = doc.querySelector("[data-error-reason]");
    return reason ? reason.textContent.trim() : "";
  }
  if (type.startsWith("text/plain") && body.length < 300) {
    return body.trim();
  }
  return "";
}

// Back to the value the page (or the swapped partial) was rendered with: a
// data-saved-value if the template gives one, else the HTML's own default.
function restoreSaved(root) {
  if (!(root instanceof Element)) {
    return;
  }
  const controls = root.matches("input, select, textarea")
    ? [root]
    : root.querySelectorAll("input, select, textarea");
  for (const control of controls) {
    const saved = control.dataset.savedValue;
    if (control instanceof HTMLSelectElement) {
      for (const option of control.options) {
        option.selected = saved === undefined ? option.defaultSelected : option.value === saved;
      }
    } else if (control.type === "checkbox" || control.type === "radio") {
      control.checked = control.defaultChecked;
    } else if (control.type !== "hidden") {
      control.value = saved === undefined ? control.defaultValue : saved;
    }
  }
}

function loginUrl() {
  return document.body.dataset.loginUrl || "";
}

// The session ended: off to sign in, then back to this page.
function toLogIn() {
  const here = window.location.pathname + window.location.search;
  window.location.assign(`${loginUrl()}?next=${encodeURIComponent(here)}`);
}

function answeredByLogin(xhr) {
  const login = loginUrl();
  if (!login || !xhr.responseURL) {
    return false;
  }
  return new URL(xhr.responseURL).pathname === new URL(login, window.location.href).pathname;
}

// login_required answers an htmx request with a redirect the browser follows: the
// login page arrives as a 200. Never swap it into the page.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (answeredByLogin(event.detail.xhr)) {
    event.detail.shouldSwap = false;
    toLogIn();
  }
});

document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 401 || answeredByLogin(xhr)) {
    toLogIn();
    return;
  }
  restoreSaved(event.detail.elt);
  const reason = reasonIn(xhr);
  const text = reason ? `${reason} Nothing was saved.` : STATUS_ERRORS[xhr.status] || SERVER_ERROR;
  showError(text, controlIn(event.detail.elt));
});

document.addEventListener("htmx:sendError", (event) => {
  restoreSaved(event.detail.elt);
  showError(NETWORK_ERROR, controlIn(event.detail.elt));
});

// Keyboard focus survives htmx swaps. A swap replaces the element that had focus, and
// the browser drops focus to the page body: a keyboard user would start again from the
// top. htmx itself puts focus back on an element with the same id; otherwise focus goes
// to the same control (tag and name) in the new content, else to the control in the same
// place (the row's sign-off button is gone once signed: its next control), else to the
// swapped element itself.
const FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), "
  + "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";
let focusBeforeSwap = null;

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  const active = document.activeElement;
  if (!event.detail.shouldSwap || !target || !target.id || !active || !target.contains(active)) {
    return;
  }
  focusBeforeSwap = {
    container: target.id,
    selector: active.name ? `${active.tagName}[name="${CSS.escape(active.name)}"]` : null,
    position: Array.from(target.querySelectorAll(FOCUSABLE)).indexOf(active),
  };
});

function focusLost() {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

// Shown and so focusable: not inside a closed <details> or a hidden element.
function shown(element) {
  return element.checkVisibility
    ? element.checkVisibility({ visibilityProperty: true })
    : element.getClientRects().length > 0;
}

document.addEventListener("htmx:afterSettle", () => {
  const remembered = focusBeforeSwap;
  focusBeforeSwap = null;
  if (!remembered || !focusLost()) {
    return;
  }
  const container = document.getElementById(remembered.container);
  if (!container) {
    return;
  }
  const controls = Array.from(container.querySelectorAll(FOCUSABLE)).filter(shown);
  const same = remembered.selector && controls.find((c) => c.matches(remembered.selector));
  const place = Math.min(Math.max(remembered.position, 0), controls.length - 1);
  const control = same || controls[place];
  if (control) {
    control.focus({ preventScroll: true });
  } else {
    container.setAttribute("tabindex", "-1");
    container.focus({ preventScroll: true });
  }
});

// <select data-save-on="commit">: fires a "commit" event (its form has hx-trigger="commit")
// when the user has chosen, not at every step. In Chromium (Windows, Linux) the arrow keys
// on a closed <select> change its value, and each step fires "change": saving on "change"
// would save the first step and swap the row away under the keyboard. So a pick with the
// mouse, or from the opened list, commits at once; a value stepped to with the keyboard
// commits on Enter or when focus leaves the select; Escape puts the saved value back.
const STEP_KEYS = new Set([
  "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown",
]);
const lastKeyStepped = new WeakMap();
const uncommitted = new WeakSet();

function savesOnCommit(target) {
  return target instanceof HTMLSelectElement && target.dataset.saveOn === "commit";
}

function differsFromSaved(select) {
  const saved = select.dataset.savedValue;
  return saved === undefined || select.value !== saved;
}

function commit(select) {
  uncommitted.delete(select);
  if (differsFromSaved(select)) {
    select.dispatchEvent(new Event("commit", { bubbles: true }));
  }
}

document.addEventListener("keydown", (event) => {
  const select = event.target;
  if (!savesOnCommit(select)) {
    return;
  }
  if (event.key === "Enter" && uncommitted.has(select)) {
    event.preventDefault(); // Enter would open the list on Linux; here it means "save".
    commit(select);
    return;
  }
  if (event.key === "Escape" && uncommitted.has(select)) {
    event.preventDefault();
    uncommitted.delete(select);
    restoreSaved(select);
    return;
  }
  // A step changes the value without opening the list; typing a letter jumps to an
  // option. Space, Enter and Alt+arrow open the list, where choosing commits.
  const typed = event.key.length === 1 && event.key !== " ";
  lastKeyStepped.set(select, !event.altKey && (STEP_KEYS.has(event.key) || typed));
});

document.addEventListener("pointerdown", (event) => {
  if (savesOnCommit(event.target)) {
    lastKeyStepped.set(event.target, false);
  }
});

document.addEventListener("change", (event) => {
  const select = event.target;
  if (!savesOnCommit(select)) {
    return;
  }
  if (lastKeyStepped.get(select)) {
    uncommitted.add(select);
  } else {
    commit(select);
  }
});

document.addEventListener("focusout", (event) => {
  if (savesOnCommit(event.target) && uncommitted.has(event.target)) {
    commit(event.target);
  }
});

// The user menu (base.html) is a <details>, open and closed by its summary without
// JavaScript. Here it also closes on Escape (focus back on its summary) and on a click
// or focus elsewhere, like a menu.
function closeMenus(except) {
  for (const menu of document.querySelectorAll("details.user-menu[open]")) {
    if (menu !== except) {
      menu.open = false;
    }
  }
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) {
    return;
  }
  const menu = event.target.closest("details.user-menu[open]");
  if (menu) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

document.addEventListener("click", (event) => {
  const inside = event.target instanceof Element ? event.target.closest("details.user-menu") : null;
  closeMenus(inside);
});

document.addEventListener("focusin", (event) => {
  const inside = event.target instanceof Element ? event.target.closest("details.user-menu") : null;
  closeMenus(inside);
});
