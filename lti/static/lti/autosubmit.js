// Posts the deep-linking answer back to the LMS as soon as the page loads; the button stays as a fallback.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
});
