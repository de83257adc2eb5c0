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

  // Focus after htmx swaps: a swap that replaces the focused control must not drop focus to <body>.
  // The new content names where focus goes with data-focus-after-swap (a result); otherwise focus
  // returns to the control with the same id (a toggle button that was re-rendered).
  var swapFocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    swapFocus = null;
    if (target && active && active !== document.body && target.contains(active)) {
      swapFocus = { targetId: target.id, activeId: active.id };
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!swapFocus) return;
    var wanted = swapFocus;
    swapFocus = null;
    var active = document.activeElement;
    if (active && active !== document.body && document.documentElement.contains(active)) return;
    var root = wanted.targetId ? document.getElementById(wanted.targetId) : null;
    var next = (root && (root.matches("[data-focus-after-swap]") ? root : root.querySelector("[data-focus-after-swap]"))) ||
      (wanted.activeId && document.getElementById(wanted.activeId)) || root;
    if (!next) return;
    if (next.tabIndex < 0 && !next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    next.focus();
  });

  // Wide tables in [data-scroll-cue]: mark when they overflow (the cue and the edge shadow show) and
  // when they are scrolled to the end.
  function markOverflow(box) {
    var overflow = box.scrollWidth > box.clientWidth + 1;
    box.setAttribute("data-overflow", String(overflow));
    box.setAttribute("data-at-end", String(box.scrollLeft + box.clientWidth >= box.scrollWidth - 1));
  }
  // Any table that has to scroll sideways (a wide table in a lesson, a report on a phone) scrolls inside
  // its own box, which keyboard users can focus to scroll it.
  function wrapProseTables() {
    document.querySelectorAll(".prose table").forEach(function (table) {
      if (table.parentElement.classList.contains("table-wrap")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
  }
  function markScrollable(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", ((caption && caption.textContent.trim()) || "Table") + " (scrolls sideways)");
      box.setAttribute("data-made-scrollable", "");
    } else if (!scrolls && box.hasAttribute("data-made-scrollable")) {
      ["tabindex", "role", "aria-label", "data-made-scrollable"].forEach(function (name) { box.removeAttribute(name); });
    }
  }
  function markAllOverflow() {
    document.querySelectorAll("[data-scroll-cue]").forEach(markOverflow);
    document.querySelectorAll(".table-wrap:not([data-scroll-cue])").forEach(markScrollable);
  }
  document.addEventListener("DOMContentLoaded", wrapProseTables);
  document.addEventListener("DOMContentLoaded", markAllOverflow);
  document.addEventListener("htmx:afterSettle", markAllOverflow);
  window.addEventListener("resize", markAllOverflow);
  document.addEventListener("scroll", function (event) {
    if (event.target.matches && event.target.matches("[data-scroll-cue]")) markOverflow(event.target);
  }, true);

  window.codewise = window.codewise || {};
  window.codewise.paintProgress = paintProgress;
})();
