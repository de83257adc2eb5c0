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
      if (busy.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
      busy.setAttribute("aria-disabled", "true");
      busy.textContent = busy.getAttribute("data-busy-label");
      if (window.XMLHttpRequest && window.FormData) {
        event.preventDefault();
        sendWithProgress(form);
      }
    }
  });

  // The upload shows how much of the file has been sent, then that the server is checking it.
  function sendWithProgress(form) {
    var box = form.querySelector("[data-upload-progress]");
    var message = form.querySelector("[data-upload-progress-message]");
    var meter = box && box.querySelector("[role=progressbar]");
    var bar = box && box.querySelector(".progress__bar");
    function show(percent, text) {
      if (!box) return;
      box.hidden = false;
      meter.setAttribute("aria-valuenow", String(percent));
      bar.style.width = percent + "%";
      if (text && message.textContent !== text) message.textContent = text;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round((e.loaded / e.total) * 100);
      show(percent, percent < 100 ? "Uploading the file: " + percent + "%" : "Checking the file…");
    });
    xhr.upload.addEventListener("load", function () { show(100, "File uploaded. Checking it…"); });
    xhr.addEventListener("load", function () {
      var next = xhr.getResponseHeader("HX-Redirect");
      if (next && xhr.status < 400) {
        show(100, "File checked. Opening the import…");
        window.location.assign(next);
        return;
      }
      // The form again, with the server's message: show that page as it is.
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fresh = doc.querySelector(".cs-upload");
      var current = document.querySelector(".cs-upload");
      if (fresh && current) {
        current.replaceWith(fresh);
        fresh.querySelectorAll("form[data-upload-form]").forEach(syncSystemFields);
        var error = fresh.querySelector("[role=alert]");
        if (error) { error.setAttribute("tabindex", "-1"); error.focus(); }
      } else {
        window.location.reload();
      }
    });
    xhr.addEventListener("error", function () {
      show(0, "The upload was interrupted. Check the connection and try again.");
      var button = form.querySelector("[data-busy-label]");
      button.removeAttribute("aria-disabled");
      button.textContent = "Check and import";
    });
    show(0, "Uploading the file…");
    xhr.send(new FormData(form));
  }

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
