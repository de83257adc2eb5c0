// Tells the LMS that registration is over (LTI Dynamic Registration: org.imsglobal.lti.close).
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
