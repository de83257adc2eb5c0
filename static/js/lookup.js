// Code lookup pages: open a picked code, switch releases without a second click.
(function () {
  "use strict";

  document.addEventListener("typeahead:select", function (event) {
    var form = event.target.closest("[data-lookup-search]");
    if (!form) return;
    var url = form.getAttribute("data-code-url").replace("CODE", encodeURIComponent(event.detail.code));
    var release = form.getAttribute("data-release");
    window.location.assign(url + (release ? "?release=" + encodeURIComponent(release) : ""));
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-release-switcher] select");
    if (select) select.form.submit();
  });
})();
