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
