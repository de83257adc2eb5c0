// Practice exams: countdown (display only: the server enforces the deadline), autosave
// feedback, offline retry, and single-submit. No inline scripts: CSP forbids them.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function format(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function startTimer() {
    var box = document.getElementById("exam-timer");
    if (!box) return;
    var deadline = Date.parse(box.getAttribute("data-deadline"));
    var serverNow = Date.parse(box.getAttribute("data-server-now"));
    if (isNaN(deadline) || isNaN(serverNow)) return;
    var skew = serverNow - Date.now(); // trust the server's clock, not the browser's
    var value = box.querySelector("[data-timer-value]");
    var announce = box.querySelector("[data-timer-announce]");
    var announced = {};
    var submitted = false;
    function tick() {
      var left = (deadline - (Date.now() + skew)) / 1000;
      value.textContent = format(left);
      box.classList.toggle("is-warning", left <= 300 && left > 60);
      box.classList.toggle("is-critical", left <= 60);
      [1800, 600, 300, 60].forEach(function (mark) {
        if (left <= mark && left > mark - 5 && !announced[mark]) {
          announced[mark] = true;
          announce.textContent = Math.round(mark / 60) + (mark === 60 ? " minute" : " minutes") + " left";
        }
      });
      if (left <= 0 && !submitted) {
        submitted = true;
        announce.textContent = "Time is up. Submitting your exam.";
        var form = document.getElementById("time-up-form");
        if (form) form.submit();
      }
    }
    tick();
    window.setInterval(tick, 1000);
  }

  // Let the server's rejection messages (late answer, closed exam) replace the save status.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Keep the "answered" counter in step with the palette after each save.
  document.addEventListener("htmx:afterSettle", function () {
    var counter = document.getElementById("answered-count");
    if (!counter) return;
    var answered = document.querySelectorAll(".palette .palette__cell.is-answered").length;
    counter.textContent = String(answered);
    var total = document.querySelectorAll(".palette .palette__cell").length || 1;
    var bar = document.querySelector(".exam-bar__progress .progress__bar");
    if (bar) {
      bar.setAttribute("data-progress", String(Math.round((answered / total) * 100)));
      if (window.codewise && window.codewise.paintProgress) window.codewise.paintProgress(bar.parentNode);
    }
  });

  // Offline: say so, and save again as soon as the connection is back.
  var pending = null;
  function showStatus(text, isError) {
    var box = document.getElementById("save-status");
    if (!box) return;
    box.innerHTML = "";
    var p = document.createElement("p");
    p.className = "save-status " + (isError ? "save-status--error" : "save-status--ok");
    p.textContent = text;
    box.appendChild(p);
  }
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("[data-answer-form]") : null;
    if (!form) return;
    pending = form;
    showStatus("Not saved yet: the connection is down. Your answer will be saved when it is back.", true);
  });
  function retry() {
    if (!pending || !window.htmx) return;
    var form = pending;
    pending = null;
    window.htmx.trigger(form, "change");
  }
  window.addEventListener("online", retry);
  window.setInterval(function () { if (pending && navigator.onLine !== false) retry(); }, 5000);

  // One submit per click, however impatient.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-submit-once")) return;
    if (form.getAttribute("data-submitting") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); button.textContent = "Submitting…"; }
  });

  document.addEventListener("DOMContentLoaded", startTimer);
})();
