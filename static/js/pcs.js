// ICD-10-PCS code builder: a chosen value extends the code in the box and asks for the next character.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pcs-pick]");
    if (!pick) return;
    var input = document.getElementById("pcs-code");
    if (!input) return;
    input.value = pick.getAttribute("data-pcs-pick");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });
})();
