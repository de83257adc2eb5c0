// Small, framework-free behaviours shared by every page. No inline scripts: CSP forbids them.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("is-open", !open);
  });

  // Progress bars carry their value in data-progress so no inline style is needed (CSP).
  function paintProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-progress")) || 0));
      bar.style.width = value + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paintProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paintProgress(event.target); });
  window.codewise = window.codewise || {};
  window.codewise.paintProgress = paintProgress;
})();
