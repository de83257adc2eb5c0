// Inside the LMS's iframe, Codewise's cookies are third-party cookies. Try one: if the browser
// keeps it, go on with the login here; if not, offer a new window, where they are first-party.
(function () {
  var box = document.querySelector("[data-cookie-check]");
  if (!box) { return; }
  var next = box.getAttribute("data-continue-url");
  var framed = window.top !== window.self;
  var probe = "lti_cookie_probe=" + Date.now();
  document.cookie = probe + "; path=/lti/; SameSite=None; Secure";
  var kept = document.cookie.indexOf(probe) !== -1;
  if (!framed || kept) {
    window.location.replace(next);
    return;
  }
  box.querySelector("[data-cookie-blocked]").hidden = false;
})();
