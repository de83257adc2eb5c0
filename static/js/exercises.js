// Chart-case pages: repeatable rows, the timer, tabular notes for the code in focus, double-submit guard.
// No inline scripts (CSP): everything is wired from data- attributes.
(function () {
  "use strict";

  var counter = 1000;

  function renumber(list) {
    // Keep visible labels in order ("Secondary diagnosis 1, 2, ...") after adds and removes.
    list.querySelectorAll("[data-row]").forEach(function (row, index) {
      row.querySelectorAll("label, [data-remove-row] .visually-hidden").forEach(function (label) {
        label.textContent = label.textContent.replace(/\d+$/, String(index + 1));
      });
    });
  }

  // Key lines are numbered the way the validation messages number them ("Key line 3: ...").
  function numberKeyLines(list) {
    list.querySelectorAll("[data-row]").forEach(function (row, index) {
      var heading = row.querySelector("[data-key-line-number]");
      if (heading) heading.textContent = "Key line " + (index + 1);
    });
  }

  // A key line's code box searches the line's code system in the release the case is pinned to.
  function pointKeyCode(row) {
    var input = row.querySelector("[data-key-code]");
    var system = row.querySelector('select[name="key_system"]');
    if (!input || !system) return;
    var form = row.closest("form");
    var pin = form && form.querySelector('[name="' + system.value + '_release"]');
    input.setAttribute("data-system", system.value);
    input.setAttribute("data-release", (pin && pin.value) || "");
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches('select[name="key_system"]')) {
      pointKeyCode(target.closest("[data-row]"));
    } else if (target.matches && target.matches('[name$="_release"]') && target.form) {
      target.form.querySelectorAll(".key-row").forEach(pointKeyCode);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".key-row").forEach(pointKeyCode);
  });
  document.addEventListener("typeahead:select", function (event) {
    var input = event.target.closest && event.target.closest("[data-key-code]");
    if (input) notify(input.closest("form"));  // validate the key with the chosen code
  });

  function notify(form) {
    if (form) form.dispatchEvent(new CustomEvent("rows-changed", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var kind = add.getAttribute("data-add-row");
      var template = document.getElementById("row-template-" + kind);
      var list = document.querySelector('[data-rows="' + kind + '"]');
      if (!template || !list) return;
      counter += 1;
      var html = template.innerHTML.replace(/__n__/g, String(counter));
      var holder = document.createElement("ol");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      list.appendChild(row);
      if (kind !== "doc" && kind !== "key") renumber(list);
      if (kind === "key") { numberKeyLines(list); pointKeyCode(row); }
      if (window.htmx) window.htmx.process(row);
      if (window.codewise && window.codewise.bindTypeahead) window.codewise.bindTypeahead(row);
      var first = row.querySelector("input[type=text], textarea, select");
      if (first) first.focus();
      notify(add.closest("form"));
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var rowEl = remove.closest("[data-row]");
      var parent = rowEl && rowEl.parentElement;
      var form = remove.closest("form");
      if (!rowEl) return;
      if (parent && parent.querySelectorAll("[data-row]").length === 1) {
        rowEl.querySelectorAll("input[type=text], textarea").forEach(function (input) { input.value = ""; });
      } else {
        rowEl.remove();
      }
      if (parent && parent.getAttribute("data-rows") !== "doc" && parent.getAttribute("data-rows") !== "key") renumber(parent);
      if (parent && parent.getAttribute("data-rows") === "key") numberKeyLines(parent);
      var next = parent && parent.parentElement.querySelector("[data-add-row]");
      if (next) next.focus();
      notify(form);
    }
  });

  // Timer: counts up from the time already spent on this draft; the value is saved with the draft.
  function startTimer() {
    var display = document.querySelector("[data-timer]");
    if (!display) return;
    var input = document.querySelector("[data-elapsed-input]");
    var started = Date.now();
    var base = parseInt(display.getAttribute("data-elapsed") || "0", 10) || 0;
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    function tick() {
      var seconds = base + Math.floor((Date.now() - started) / 1000);
      var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      display.textContent = (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
      if (input) input.value = String(seconds);
    }
    tick();
    window.setInterval(tick, 1000);
  }

  // Code boxes double as search boxes: words are a search, not a code. Only codes are submitted
  // (the server checks the same shapes and says the same thing).
  var ICD_SHAPE = /^[A-Z][0-9][0-9A-Z]{1,5}$/;
  var PX_SHAPE = /^(?:[0-9]{4}[0-9FTU]|[A-Z][0-9]{4})$/;
  var PCS_SHAPE = /^[0-9A-HJ-NP-Z]{7}$/;  // ICD-10-PCS: 7 axes, no I or O
  function shapeFor(system) { return system === "icd10cm" ? ICD_SHAPE : system === "icd10pcs" ? PCS_SHAPE : PX_SHAPE; }
  var WORDS = /[A-Za-z]{4,}|[A-Za-z]{2,}\s+[A-Za-z]/;  // no code has four letters in a row

  function looksLikeWords(text) { return WORDS.test(text || ""); }

  function codeProblem(input) {
    var raw = (input.value || "").trim();
    if (!raw) return "";
    var system = input.getAttribute("data-system") || "icd10cm";
    if (shapeFor(system).test(raw.toUpperCase().replace(/[.\s-]/g, ""))) return "";
    if (looksLikeWords(raw)) return "\u201c" + raw + "\u201d is a search, not a code: choose a code from the list.";
    return "\u201c" + raw + "\u201d is not a code" + (system === "icd10cm" ? " (e.g. E11.65)." :
      system === "icd10pcs" ? " (e.g. 0DTJ4ZZ)." : " (e.g. 99214 or J1100).");
  }

  function showCodeProblem(input, message) {
    var holder = input.closest(".typeahead") || input.parentNode;
    var note = holder.querySelector("[data-code-error]");
    if (!message) {
      input.removeAttribute("aria-invalid");
      if (note) { note.remove(); input.removeAttribute("aria-errormessage"); }
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error";
      note.setAttribute("data-code-error", "");
      note.id = input.id + "-error";
      holder.appendChild(note);
    }
    note.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-errormessage", note.id);
  }

  // True when every code box of the coding form holds a code; marks the others.
  function codesReady(form) {
    var first = null;
    form.querySelectorAll("[data-code-input]").forEach(function (input) {
      var message = codeProblem(input);
      showCodeProblem(input, message);
      if (message && !first) first = input;
    });
    if (first) first.focus();
    return !first;
  }

  document.addEventListener("input", function (event) {
    var input = event.target.closest && event.target.closest("#coding-form [data-code-input][aria-invalid]");
    if (input && !codeProblem(input)) showCodeProblem(input, "");
  });
  document.addEventListener("typeahead:select", function (event) {
    var input = event.target.closest && event.target.closest("#coding-form [data-code-input]");
    if (input) showCodeProblem(input, "");
  });

  // Tabular notes of the code being worked on, loaded through htmx from the case's pinned release.
  // The panel updates quietly while the student types; screen readers hear about it only when a
  // code is chosen from the list or entered (change), never for half-typed words.
  var notesTimer = null;
  var lastNotesUrl = "";

  function notesLive() {
    var panel = document.getElementById("code-notes");
    if (!panel) return null;
    var live = document.getElementById("code-notes-live");
    if (!live) {
      panel.removeAttribute("aria-live");
      live = document.createElement("p");
      live.id = "code-notes-live";
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      panel.parentNode.insertBefore(live, panel.nextSibling);
    }
    return live;
  }

  function announceNotes() {
    var panel = document.getElementById("code-notes");
    var live = notesLive();
    if (!panel || !live) return;
    var first = panel.querySelector("p");
    live.textContent = first ? first.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function looksLikeCode(input, code) {
    var system = input.getAttribute("data-system") || "icd10cm";
    var bare = code.toUpperCase().replace(/[.\s-]/g, "");
    return shapeFor(system).test(bare);
  }

  function loadNotes(input, announce) {
    var form = input.closest("form[data-notes-url]");
    if (!form || !window.htmx) return;
    var code = (input.value || "").trim();
    if (code.length < 3 || looksLikeWords(code) || !looksLikeCode(input, code)) return;
    var system = input.getAttribute("data-system") || "icd10cm";
    var row = input.closest("[data-row]");
    var select = row && row.querySelector('select[name="px_system"]');
    if (select) system = select.value;
    var release = form.getAttribute("data-release-" + system) || "";
    var url = form.getAttribute("data-notes-url") + "?system=" + encodeURIComponent(system) +
      "&code=" + encodeURIComponent(code) + (release ? "&release=" + encodeURIComponent(release) : "");
    if (url === lastNotesUrl) {
      if (announce) announceNotes();
      return;
    }
    lastNotesUrl = url;
    var request = window.htmx.ajax("GET", url, { target: "#code-notes", swap: "innerHTML" });
    if (announce && request && request.then) request.then(announceNotes);
  }
  document.addEventListener("DOMContentLoaded", notesLive);
  document.addEventListener("change", function (event) {
    var systemSelect = event.target.closest('select[name="px_system"]');
    if (systemSelect) {
      // Point the row's typeahead at the chosen code system and its pinned release.
      var codeInput = systemSelect.closest("[data-row]").querySelector("[data-code-input]");
      var form = systemSelect.closest("form");
      if (codeInput) {
        codeInput.setAttribute("data-system", systemSelect.value);
        codeInput.setAttribute("data-release", (form && form.getAttribute("data-release-" + systemSelect.value)) || "");
      }
      return;
    }
    var input = event.target.closest("[data-code-input]");
    if (input) loadNotes(input, true);
  });
  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-code-input]");
    if (!input) return;
    window.clearTimeout(notesTimer);
    notesTimer = window.setTimeout(function () { loadNotes(input, false); }, 600);
  });
  document.addEventListener("typeahead:select", function (event) {
    var input = event.target.closest("[data-code-input]");
    if (!input) return;
    window.clearTimeout(notesTimer);
    loadNotes(input, true);
    var form = input.closest("form");
    if (form) form.dispatchEvent(new CustomEvent("rows-changed", { bubbles: true }));
  });
  document.addEventListener("focusin", function (event) {
    var input = event.target.closest("[data-code-input]");
    if (input && input.value) { window.clearTimeout(notesTimer); loadNotes(input, false); }
  });

  // One submit per attempt: disable the button once the form is on its way (the server also refuses repeats).
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("[data-submit]");
    if (!button) return;
    if (button.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    if (event.target.id === "coding-form" && !codesReady(event.target)) { event.preventDefault(); return; }
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Submitting…";
  });

  // Autosave status: never say "Draft saved" while edits made after that save are still waiting.
  var edits = 0, editsSent = 0;
  function markUnsaved(event) {
    var form = event.target.closest && event.target.closest("#coding-form");
    if (!form) return;
    edits += 1;
    var status = document.getElementById("autosave-status");
    if (status && status.getAttribute("data-state") !== "unsaved") {
      status.setAttribute("data-state", "unsaved");
      status.textContent = "Unsaved changes…";
    }
  }
  ["input", "change", "rows-changed"].forEach(function (name) { document.addEventListener(name, markUnsaved); });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "coding-form") editsSent = edits;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var status = event.detail.target;
    if (!status || status.id !== "autosave-status") return;
    if (edits > editsSent) {
      status.textContent = "Unsaved changes…";
    } else {
      status.setAttribute("data-state", "saved");
    }
  });

  document.addEventListener("DOMContentLoaded", startTimer);
})();
