// Code-set pages: confirmations, auto-submitting filters, upload form hints, progress repaint.
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (activation is a deliberate act).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var busy = form.querySelector && form.querySelector("[data-busy-label]");
    if (busy && form.hasAttribute("data-upload-form")) {
      busy.setAttribute("aria-disabled", "true");
      busy.textContent = busy.getAttribute("data-busy-label");
    }
  });

  // Filters apply on change; the submit button stays for keyboard users without JS.
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") form.submit();
  });

  // Show the order-file and licence fields only for the system they apply to.
  function syncSystemFields(form) {
    var select = form.querySelector("select[name=system]");
    if (!select) return;
    form.querySelectorAll("[data-only-system]").forEach(function (field) {
      field.hidden = field.getAttribute("data-only-system") !== select.value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-upload-form]").forEach(function (form) {
      syncSystemFields(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "system") syncSystemFields(form);
      });
    });
  });

  // The progress block is swapped by htmx polling; repaint its bar.
  document.addEventListener("htmx:afterSettle", function () {
    if (window.codewise && window.codewise.paintProgress) window.codewise.paintProgress(document);
  });
})();
