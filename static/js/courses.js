// Courses: progress rings, the "build the term" quiz widget and flashcard review keyboard shortcuts.
// No inline scripts or handlers (CSP): everything is wired here by delegation, so htmx swaps need no re-init.
(function () {
  "use strict";

  function paintRings(root) {
    (root || document).querySelectorAll("[data-ring]").forEach(function (ring) {
      var value = Math.max(0, Math.min(100, parseFloat(ring.getAttribute("data-ring")) || 0));
      ring.style.setProperty("--pct", String(value));
    });
  }

  // ---- Build the term -------------------------------------------------------
  function builderOf(el) { return el.closest("[data-term-builder]"); }

  function renderBuilt(builder) {
    var built = builder.querySelector("[data-built]");
    var inputs = builder.querySelector("[data-built-inputs]");
    var order = (builder.getAttribute("data-order") || "").split(",").filter(Boolean);
    built.textContent = "";
    inputs.textContent = "";
    if (!order.length) {
      var hint = document.createElement("span");
      hint.className = "term-builder__placeholder";
      hint.textContent = "Choose word parts below, in order.";
      built.appendChild(hint);
    }
    order.forEach(function (index, position) {
      var source = builder.querySelector('[data-part-index="' + index + '"]');
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip chip--placed";
      chip.setAttribute("data-remove-position", String(position));
      chip.setAttribute("aria-label", "Remove " + source.textContent.trim());
      chip.textContent = source.textContent.trim();
      built.appendChild(chip);
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "part";
      input.value = index;
      inputs.appendChild(input);
    });
    builder.querySelectorAll("[data-part-index]").forEach(function (button) {
      button.disabled = order.indexOf(button.getAttribute("data-part-index")) !== -1;
    });
    var live = builder.querySelector("[data-built-live]");
    if (live) {
      live.textContent = order.length ? "Built: " + order.map(function (i) {
        return builder.querySelector('[data-part-index="' + i + '"]').textContent.trim();
      }).join(" + ") : "Nothing built yet.";
    }
  }

  document.addEventListener("click", function (event) {
    var part = event.target.closest("[data-part-index]");
    if (part && builderOf(part)) {
      var builder = builderOf(part);
      var order = (builder.getAttribute("data-order") || "").split(",").filter(Boolean);
      order.push(part.getAttribute("data-part-index"));
      builder.setAttribute("data-order", order.join(","));
      renderBuilt(builder);
      return;
    }
    var placed = event.target.closest("[data-remove-position]");
    if (placed && builderOf(placed)) {
      var b = builderOf(placed);
      var current = (b.getAttribute("data-order") || "").split(",").filter(Boolean);
      current.splice(parseInt(placed.getAttribute("data-remove-position"), 10), 1);
      b.setAttribute("data-order", current.join(","));
      renderBuilt(b);
      return;
    }
    var clear = event.target.closest("[data-clear-built]");
    if (clear && builderOf(clear)) {
      builderOf(clear).setAttribute("data-order", "");
      renderBuilt(builderOf(clear));
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var reveal = event.target.closest("[data-reveal]");
    if (reveal) {
      revealCard();
    }
  });

  // ---- Flashcard review -----------------------------------------------------
  var shownAt = Date.now();

  function stage() { return document.querySelector("[data-review-stage]"); }

  function revealCard() {
    var root = stage();
    if (!root) return false;
    var back = root.querySelector("[data-card-back]");
    var ratings = root.querySelector("[data-ratings]");
    var revealButton = root.querySelector("[data-reveal]");
    if (!back || !back.hidden) return false;
    back.hidden = false;
    if (ratings) ratings.hidden = false;
    if (revealButton) revealButton.hidden = true;
    var good = root.querySelector('[data-rating="3"]');
    if (good) good.focus();
    return true;
  }

  function rate(value) {
    var root = stage();
    if (!root) return;
    var back = root.querySelector("[data-card-back]");
    if (!back || back.hidden) return;
    var button = root.querySelector('[data-rating="' + value + '"]');
    if (button && !button.disabled) button.click();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-rate-form]");
    if (!form) return;
    var duration = form.querySelector('input[name="duration_ms"]');
    if (duration) duration.value = String(Math.max(0, Date.now() - shownAt));
  }, true);

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.target.closest && event.target.closest("[data-rate-form]");
    if (form) event.detail.parameters.duration_ms = String(Math.max(0, Date.now() - shownAt));
  });

  document.addEventListener("keydown", function (event) {
    if (!stage() || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    if (event.key === " " || event.key === "Spacebar") {
      if (revealCard()) event.preventDefault();
      else if (tag !== "button" && tag !== "a") event.preventDefault();
    } else if (/^[1-4]$/.test(event.key)) {
      event.preventDefault();
      rate(event.key);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    paintRings(event.target);
    if (event.target.closest && event.target.closest("[data-review-stage]") || (event.target.matches && event.target.matches("[data-review-stage]"))) {
      shownAt = Date.now();
      var focusTarget = document.querySelector("[data-review-stage] [data-reveal]") || document.querySelector("[data-review-stage] h2");
      if (focusTarget) focusTarget.focus();
    }
    event.target.querySelectorAll && event.target.querySelectorAll("[data-term-builder]").forEach(renderBuilt);
  });

  document.addEventListener("DOMContentLoaded", function () {
    paintRings(document);
    document.querySelectorAll("[data-term-builder]").forEach(renderBuilt);
    shownAt = Date.now();
  });
  // ---- Question editor: only the fields of the chosen kind; code boxes search the chosen code set.
  function syncQuestionKind(form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) return;
    form.querySelectorAll("[data-kinds]").forEach(function (block) {
      block.hidden = block.getAttribute("data-kinds").split(" ").indexOf(kind.value) === -1;
    });
    var system = form.querySelector("select[name=system]");
    form.querySelectorAll(".accepted-code [data-typeahead]").forEach(function (input) {
      input.setAttribute("data-system", (system && system.value) || "icd10cm");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-question-form]").forEach(syncQuestionKind);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-question-form]");
    if (form && (event.target.name === "kind" || event.target.name === "system")) syncQuestionKind(form);
  });
})();
