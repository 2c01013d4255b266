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

function showError(text) {
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
  showError(reason ? `${reason} Nothing was saved.` : STATUS_ERRORS[xhr.status] || SERVER_ERROR);
});

document.addEventListener("htmx:sendError", (event) => {
  restoreSaved(event.detail.elt);
  showError(NETWORK_ERROR);
});
