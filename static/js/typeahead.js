// Code typeahead: any <input data-typeahead> inside a .typeahead wrapper becomes an accessible
// combobox over GET /api/v1/codes/search/. No inline script anywhere (CSP).
//
// Markup contract:
//   <div class="typeahead"><label for="x">Code</label>
//     <input id="x" name="..." type="text" autocomplete="off" data-typeahead data-system="icd10cm"
//            data-release="<id or empty>" role="combobox" aria-expanded="false" aria-autocomplete="list">
//     <ul class="typeahead__list" role="listbox" hidden></ul></div>
// Optional: data-url (another endpoint), data-limit (default 10), data-min-chars (default 2).
// On pick the input gets the dotted code and a bubbling CustomEvent("typeahead:select") carries
// {code, title, billable, system}.
(function () {
  "use strict";

  var DEBOUNCE_MS = 120;
  var DEFAULT_URL = "/api/v1/codes/search/";
  var counter = 0;

  function bind(input) {
    if (input.__typeahead) return;
    var wrapper = input.closest(".typeahead") || input.parentNode;
    if (!input.id) input.id = "typeahead-" + (++counter);
    var list = wrapper.querySelector(".typeahead__list");
    if (!list) {
      list = document.createElement("ul");
      list.className = "typeahead__list";
      list.setAttribute("role", "listbox");
      list.hidden = true;
      input.insertAdjacentElement("afterend", list);
    }
    if (!list.id) list.id = input.id + "-list";
    var label = wrapper.querySelector("label[for='" + input.id + "']");
    if (label && !label.id) label.id = input.id + "-label";
    if (label) list.setAttribute("aria-labelledby", label.id);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    wrapper.appendChild(status);

    var state = { items: [], active: -1, timer: null, controller: null, seq: 0, lastQuery: null, cache: new Map() };
    input.__typeahead = state;

    function minChars() { return parseInt(input.getAttribute("data-min-chars") || "2", 10); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      state.active = -1;
    }

    function announce(text) {
      // Re-set so repeated identical counts are still announced.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 30);
    }

    function setActive(index) {
      var options = list.querySelectorAll("[role='option']");
      if (!options.length) return;
      if (index < 0) index = options.length - 1;
      if (index >= options.length) index = 0;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      state.active = index;
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function render(items, query) {
      state.items = items;
      state.active = -1;
      list.textContent = "";
      input.removeAttribute("aria-activedescendant");
      if (!items.length) {
        var empty = document.createElement("li");
        empty.className = "typeahead__empty";
        empty.setAttribute("role", "presentation");
        empty.textContent = "No codes match \u201c" + query + "\u201d";
        list.appendChild(empty);
      }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.className = "typeahead__option";
        li.id = list.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-index", String(i));
        var code = document.createElement("span");
        code.className = "typeahead__code";
        code.textContent = item.code;
        var title = document.createElement("span");
        title.className = "typeahead__title";
        title.textContent = item.title;
        var badge = document.createElement("span");
        badge.className = "badge " + (item.billable ? "badge--ok" : "badge--header");
        badge.textContent = item.billable ? "Billable" : "Header";
        li.appendChild(code);
        li.appendChild(title);
        li.appendChild(badge);
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(items.length ? items.length + (items.length === 1 ? " code" : " codes") + " found. Use up and down arrows to choose." : "No codes found.");
    }

    function pick(index) {
      var item = state.items[index];
      if (!item) return;
      input.value = item.code;
      state.lastQuery = item.code;
      close();
      announce(item.code + " " + item.title + " selected.");
      input.dispatchEvent(new CustomEvent("typeahead:select", {
        bubbles: true,
        detail: { code: item.code, title: item.title, billable: item.billable, system: item.system }
      }));
    }

    function fetchResults(query) {
      var url = new URL(input.getAttribute("data-url") || DEFAULT_URL, window.location.origin);
      url.searchParams.set("q", query);
      url.searchParams.set("system", input.getAttribute("data-system") || "icd10cm");
      url.searchParams.set("limit", input.getAttribute("data-limit") || "10");
      var release = input.getAttribute("data-release");
      if (release) url.searchParams.set("release", release);
      var key = url.toString();
      if (state.cache.has(key)) { render(state.cache.get(key), query); return; }
      if (state.controller) state.controller.abort();
      var controller = new AbortController();
      state.controller = controller;
      var seq = ++state.seq;
      fetch(key, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (seq !== state.seq || input.value.trim() !== query) return; // a newer keystroke won
          var items = (data && data.results) || [];
          state.cache.set(key, items);
          if (state.cache.size > 50) state.cache.delete(state.cache.keys().next().value);
          render(items, query);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (seq === state.seq) { close(); announce("Code search is unavailable right now."); }
        });
    }

    input.addEventListener("input", function () {
      var query = input.value.trim();
      window.clearTimeout(state.timer);
      if (query.length < minChars()) {
        if (state.controller) state.controller.abort();
        state.seq++;
        close();
        return;
      }
      state.timer = window.setTimeout(function () {
        if (query === state.lastQuery && !list.hidden) return;
        state.lastQuery = query;
        fetchResults(query);
      }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && state.items.length > 0;
      if (event.key === "ArrowDown") {
        if (!open) { if (state.items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); setActive(0); } return; }
        event.preventDefault();
        setActive(state.active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        setActive(state.active - 1);
      } else if (event.key === "Enter") {
        if (open && state.active >= 0) { event.preventDefault(); pick(state.active); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      } else if (event.key === "Tab") {
        close();
      }
    });

    // mousedown, not click: the input must not lose focus before the pick.
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role='option']");
      if (!option) return;
      event.preventDefault();
      pick(parseInt(option.getAttribute("data-index"), 10));
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("input[data-typeahead]")) bind(root);
    root.querySelectorAll("input[data-typeahead]").forEach(bind);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  document.addEventListener("htmx:load", function (event) { scan(event.detail && event.detail.elt); });
  window.codewise = window.codewise || {};
  window.codewise.bindTypeahead = scan;
})();
