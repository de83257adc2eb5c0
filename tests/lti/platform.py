"""A small LTI 1.3 Advantage platform that stands in for Canvas or Moodle in tests.

It is real where the tool can tell: RSA keys made here, id_tokens signed with PyJWT, its key set,
OIDC authorization endpoint, OAuth 2 token endpoint (checking the tool's signed client assertion),
Assignment and Grade Services (line items and scores) and Names and Role Provisioning Services
(with paging), all served over HTTP on 127.0.0.1 by a threaded server. It can be stopped and
started again on the same port to play an LMS that is down.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
ADMINISTRATOR = LIS + "institution/person#Administrator"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESULT_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def new_rsa_key() -> tuple[str, dict]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    return pem, jwk


@dataclass
class PlatformUser:
    sub: str
    name: str
    roles: list[str]
    email: str = ""
    status: str = "Active"


@dataclass
class Course:
    context_id: str
    title: str
    members: list[PlatformUser] = field(default_factory=list)
    line_items: dict[str, dict] = field(default_factory=dict)  # id -> line item
    scores: list[dict] = field(default_factory=list)  # every score POST accepted, in order
    resource_links: dict[str, dict] = field(default_factory=dict)  # resource link id -> {title, custom, lineitem}


class TestPlatform:
    """One LMS with one tool registered in it (client id, deployment id, the tool's key set)."""

    __test__ = False

    def __init__(self, *, tool_launch_url: str = "http://testserver/lti/launch/",
                 tool_login_url: str = "http://testserver/lti/login/", client_id: str | None = None,
                 deployment_id: str = "deployment-1") -> None:
        # A client id of its own: cached access tokens of an earlier test's LMS never match this one.
        self.client_id = client_id or f"codewise-{secrets.token_hex(4)}"
        self.deployment_id = deployment_id
        self.tool_launch_url = tool_launch_url
        self.tool_login_url = tool_login_url
        self.tool_jwks: dict = {"keys": []}
        self.private_key_pem, jwk = new_rsa_key()
        self.kid = "platform-key-1"
        self.jwk = {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}
        self.courses: dict[str, Course] = {}
        self.tokens: dict[str, dict] = {}  # access token -> {scopes, expires}
        self.requests_log: list[tuple[str, str]] = []
        self.token_requests = 0
        self.pending_messages: dict[str, dict] = {}  # lti_message_hint -> message to send
        self.deep_link_responses: list[dict] = []
        self.nrps_page_size = 2
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.lock = threading.RLock()

    # --- Lifecycle -------------------------------------------------------------------------------

    def start(self) -> "TestPlatform":
        platform = self

        class Handler(_Handler):
            pass

        Handler.platform = platform
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def registration(self) -> dict:
        """What an administrator pastes into Codewise's platform form."""
        return {
            "issuer": self.issuer, "client_id": self.client_id, "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token", "key_set_url": self.url + "/jwks",
        }

    # --- Courses ---------------------------------------------------------------------------------

    def course(self, context_id: str = "course-101", title: str = "MED 101 Medical Coding I") -> Course:
        with self.lock:
            return self.courses.setdefault(context_id, Course(context_id, title))

    def enroll(self, course: Course, user: PlatformUser) -> PlatformUser:
        with self.lock:
            course.members = [m for m in course.members if m.sub != user.sub] + [user]
        return user

    def add_line_item(self, course: Course, *, label: str, resource_id: str = "", resource_link_id: str = "",
                      score_maximum: float = 100) -> dict:
        with self.lock:
            item_id = str(len(course.line_items) + 1)
            item = {"id": f"{self.url}/courses/{course.context_id}/lineitems/{item_id}", "label": label,
                    "scoreMaximum": score_maximum, "resourceId": resource_id, "resourceLinkId": resource_link_id}
            course.line_items[item_id] = item
            return item

    def scores_for(self, course: Course, user: PlatformUser) -> list[dict]:
        return [s for s in course.scores if s["userId"] == user.sub]

    # --- Messages --------------------------------------------------------------------------------

    def claims(self, *, user: PlatformUser, course: Course | None, message_type: str = "LtiResourceLinkRequest",
               nonce: str, resource_link_id: str = "", custom: dict | None = None,
               lineitem: str | None = None, target_link_uri: str | None = None, deep_link_data: str = "dl-data") -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": user.sub, "exp": now + 300, "iat": now, "nonce": nonce,
            "name": user.name, "email": user.email,
            LTI + "message_type": message_type, LTI + "version": "1.3.0", LTI + "deployment_id": self.deployment_id,
            LTI + "roles": user.roles, LTI + "target_link_uri": target_link_uri or self.tool_launch_url,
        }
        if course is not None:
            claims[LTI + "context"] = {"id": course.context_id, "title": course.title, "label": course.title.split()[0],
                                       "type": [LIS.replace("vocab/lis/v2/", "vocab/lis/v2/course#") + "CourseOffering"]}
            claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
                "context_memberships_url": f"{self.url}/courses/{course.context_id}/memberships",
                "service_versions": ["2.0"],
            }
            ags = {"scope": [SCORE_SCOPE, LINEITEM_SCOPE, RESULT_SCOPE],
                   "lineitems": f"{self.url}/courses/{course.context_id}/lineitems"}
            if lineitem:
                ags["lineitem"] = lineitem
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = ags
        if message_type == "LtiResourceLinkRequest":
            link = course.resource_links.get(resource_link_id, {}) if course else {}
            claims[LTI + "resource_link"] = {"id": resource_link_id or "link-1", "title": link.get("title", "Codewise")}
            merged_custom = {**link.get("custom", {}), **(custom or {})}
            if merged_custom:
                claims[LTI + "custom"] = merged_custom
            if link.get("lineitem") and not lineitem and course is not None:
                claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"] = link["lineitem"]
        elif message_type == "LtiDeepLinkingRequest":
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/courses/{course.context_id}/deep_link_return",
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True, "auto_create": True, "data": deep_link_data,
            }
        return claims

    def sign(self, claims: dict, *, key_pem: str | None = None, kid: str | None = None) -> str:
        return jwt.encode(claims, key_pem or self.private_key_pem, algorithm="RS256", headers={"kid": kid or self.kid})

    def login_params(self, *, user: PlatformUser, course: Course | None, message_type: str = "LtiResourceLinkRequest",
                     resource_link_id: str = "link-1", target_link_uri: str | None = None, **extra) -> dict:
        """The third-party login initiation the platform sends the tool; remembers what to launch."""
        hint = secrets.token_urlsafe(8)
        self.pending_messages[hint] = {"user": user, "course": course, "message_type": message_type,
                                       "resource_link_id": resource_link_id, "target_link_uri": target_link_uri,
                                       **extra}
        return {"iss": self.issuer, "login_hint": user.sub, "target_link_uri": target_link_uri or self.tool_launch_url,
                "lti_message_hint": hint, "client_id": self.client_id, "lti_deployment_id": self.deployment_id}

    # --- LTI Dynamic Registration ------------------------------------------------------------

    registration_token = "platform-registration-token"
    registered_tool: dict | None = None

    def openid_configuration(self) -> dict:
        return {
            "issuer": self.issuer, "authorization_endpoint": self.url + "/auth", "token_endpoint": self.url + "/token",
            "jwks_uri": self.url + "/jwks", "registration_endpoint": self.url + "/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"], "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"], "id_token_signing_alg_values_supported": ["RS256"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "riverside-lms", "version": "1.0",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]},
        }

    def _register_tool(self, headers, body: dict) -> tuple[int, dict]:
        if headers.get("Authorization") != f"Bearer {self.registration_token}":
            return 401, {"error": "invalid registration token"}
        tool = body.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
        if body.get("token_endpoint_auth_method") != "private_key_jwt" or not body.get("jwks_uri") \
                or not body.get("initiate_login_uri") or not body.get("redirect_uris") or not tool.get("target_link_uri"):
            return 400, {"error": "invalid_client_metadata"}
        self.client_id = "dyn-" + secrets.token_hex(4)
        self.tool_launch_url = body["redirect_uris"][0]
        self.tool_login_url = body["initiate_login_uri"]
        self.registered_tool = body
        return 200, {**body, "client_id": self.client_id,
                     "https://purl.imsglobal.org/spec/lti-tool-configuration": {**tool, "deployment_id": self.deployment_id}}

    def frame_page(self, query: dict) -> str:
        """The LMS's course page with the tool in an iframe (the browser test opens it)."""
        src = query.get("src", [""])[0]
        return (f'<!doctype html><html><head><title>Riverside LMS</title></head><body>'
                f'<h1>MED 101 in the LMS</h1><iframe id="tool" title="Codewise" width="1100" height="800" '
                f'src="{html.escape(src)}"></iframe></body></html>')

    # --- Request handling (called from the server thread) --------------------------------------

    def _authorize(self, query: dict) -> tuple[int, str]:
        """The OIDC authorization endpoint: an auto-posting form carrying the id_token to the tool."""
        q = {k: v[0] for k, v in query.items()}
        if q.get("client_id") != self.client_id or q.get("response_type") != "id_token" or q.get("scope") != "openid":
            return 400, "bad authorization request"
        if q.get("redirect_uri") not in (self.tool_launch_url,):
            return 400, "redirect_uri not registered"
        message = self.pending_messages.get(q.get("lti_message_hint", ""))
        if message is None or message["user"].sub != q.get("login_hint"):
            return 400, "unknown login hint"
        extra = {k: v for k, v in message.items() if k not in ("user", "course", "message_type", "resource_link_id",
                                                                "target_link_uri")}
        claims = self.claims(user=message["user"], course=message["course"], message_type=message["message_type"],
                             nonce=q["nonce"], resource_link_id=message["resource_link_id"],
                             target_link_uri=message["target_link_uri"], **extra)
        token = self.sign(claims)
        page = (f'<!doctype html><html><body><form id="f" method="post" action="{html.escape(q["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{html.escape(q["state"])}">'
                f'<noscript><button>Continue</button></noscript></form>'
                f'<script>document.getElementById("f").submit()</script></body></html>')
        return 200, page

    def _token(self, form: dict) -> tuple[int, dict]:
        """client_credentials with a JWT client assertion signed by the tool's key (checked here)."""
        f = {k: v[0] for k, v in form.items()}
        self.token_requests += 1
        if f.get("grant_type") != "client_credentials" or \
                f.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}
        assertion = f.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
            key = next(k for k in self.tool_jwks["keys"] if k.get("kid") == kid)
            claims = jwt.decode(assertion, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                                audience=self.url + "/token", options={"require": ["exp", "iat", "jti"]})
        except (StopIteration, jwt.InvalidTokenError):
            return 401, {"error": "invalid_client"}
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            return 401, {"error": "invalid_client"}
        scopes = [s for s in f.get("scope", "").split() if s in (SCORE_SCOPE, LINEITEM_SCOPE, RESULT_SCOPE, NRPS_SCOPE,
                                                                  LINEITEM_SCOPE + ".readonly")]
        token = secrets.token_urlsafe(24)
        self.tokens[token] = {"scopes": set(scopes), "expires": time.time() + 3600}
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)}

    def _check_bearer(self, headers, scope: str) -> bool:
        auth = headers.get("Authorization", "")
        token = self.tokens.get(auth.removeprefix("Bearer ").strip())
        return bool(token and token["expires"] > time.time() and scope in token["scopes"])

    def _deep_link_return(self, course: Course, form: dict) -> tuple[int, str]:
        token = form.get("JWT", [""])[0]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = next(k for k in self.tool_jwks["keys"] if k.get("kid") == kid)
            claims = jwt.decode(token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                                audience=self.issuer, options={"require": ["exp", "iat", "nonce"]})
        except (StopIteration, jwt.InvalidTokenError) as exc:
            return 400, f"bad deep linking response: {exc}"
        if claims.get("iss") != self.client_id or claims.get(LTI + "message_type") != "LtiDeepLinkingResponse" \
                or claims.get(LTI + "deployment_id") != self.deployment_id:
            return 400, "bad deep linking response claims"
        created = []
        for item in claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items", []):
            link_id = f"link-{uuid.uuid4().hex[:8]}"
            lineitem_url = None
            if item.get("lineItem"):
                line_item = self.add_line_item(course, label=item["lineItem"].get("label", item.get("title", "")),
                                               resource_id=item["lineItem"].get("resourceId", ""),
                                               resource_link_id=link_id,
                                               score_maximum=item["lineItem"].get("scoreMaximum", 100))
                lineitem_url = line_item["id"]
            course.resource_links[link_id] = {"title": item.get("title", ""), "custom": item.get("custom", {}),
                                              "lineitem": lineitem_url, "url": item.get("url")}
            created.append(link_id)
        self.deep_link_responses.append({"claims": claims, "resource_link_ids": created})
        return 200, "<!doctype html><p>Content added to the course.</p>"

    def _score(self, course: Course, item_id: str, body: dict) -> tuple[int, dict | None]:
        for key in ("userId", "activityProgress", "gradingProgress", "timestamp"):
            if key not in body:
                return 400, {"error": f"missing {key}"}
        if item_id not in course.line_items:
            return 404, {"error": "no such line item"}
        if body["userId"] not in {m.sub for m in course.members}:
            return 422, {"error": "user not in course"}
        previous = [s for s in course.scores if s["userId"] == body["userId"] and s["lineItem"] == item_id]
        stamp = dt.datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
        if previous and dt.datetime.fromisoformat(previous[-1]["timestamp"].replace("Z", "+00:00")) >= stamp:
            return 409, {"error": "a newer score is already recorded"}
        course.scores.append({**body, "lineItem": item_id})
        return 204, None

    def _memberships(self, course: Course, query: dict) -> tuple[int, dict, str | None]:
        offset = int(query.get("offset", ["0"])[0])
        members = course.members[offset:offset + self.nrps_page_size]
        body = {"id": f"{self.url}/courses/{course.context_id}/memberships",
                "context": {"id": course.context_id, "title": course.title},
                "members": [{"user_id": m.sub, "name": m.name, "email": m.email, "roles": m.roles, "status": m.status}
                            for m in members]}
        next_url = None
        if offset + self.nrps_page_size < len(course.members):
            next_url = f"{self.url}/courses/{course.context_id}/memberships?" + urlencode(
                {"offset": offset + self.nrps_page_size})
        return 200, body, next_url


class _Handler(BaseHTTPRequestHandler):
    platform: TestPlatform

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: object = None, content_type: str = "application/json", headers=None) -> None:
        data = b""
        if body is not None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _course(self, parts: list[str]) -> Course | None:
        return self.platform.courses.get(parts[1]) if len(parts) > 1 else None

    def do_GET(self) -> None:  # noqa: N802
        p = self.platform
        url = urlsplit(self.path)
        parts = [x for x in url.path.split("/") if x]
        query = parse_qs(url.query)
        p.requests_log.append(("GET", url.path))
        if url.path == "/jwks":
            return self._send(200, {"keys": [p.jwk]})
        if url.path == "/.well-known/openid-configuration":
            return self._send(200, p.openid_configuration())
        if url.path == "/auth":
            status, page = p._authorize(query)
            return self._send(status, page, "text/html")
        if url.path.startswith("/frame"):
            return self._send(200, p.frame_page(query), "text/html")
        course = self._course(parts)
        if course is None:
            return self._send(404, {"error": "not found"})
        if parts[2:] == ["memberships"]:
            if not p._check_bearer(self.headers, NRPS_SCOPE):
                return self._send(401, {"error": "invalid_token"})
            status, body, next_url = p._memberships(course, query)
            headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
            return self._send(status, body, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json", headers)
        if parts[2:3] == ["lineitems"]:
            if not (p._check_bearer(self.headers, LINEITEM_SCOPE) or p._check_bearer(self.headers, LINEITEM_SCOPE + ".readonly")):
                return self._send(401, {"error": "invalid_token"})
            if len(parts) == 3:
                return self._send(200, list(course.line_items.values()), "application/vnd.ims.lis.v2.lineitemcontainer+json")
            item = course.line_items.get(parts[3])
            return self._send(200 if item else 404, item or {"error": "not found"}, "application/vnd.ims.lis.v2.lineitem+json")
        return self._send(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        p = self.platform
        url = urlsplit(self.path)
        parts = [x for x in url.path.split("/") if x]
        raw = self._body()
        p.requests_log.append(("POST", url.path))
        if url.path == "/token":
            status, body = p._token(parse_qs(raw.decode()))
            return self._send(status, body)
        if url.path == "/register":
            status, body = p._register_tool(self.headers, json.loads(raw or b"{}"))
            return self._send(status, body)
        course = self._course(parts)
        if course is None:
            return self._send(404, {"error": "not found"})
        with p.lock:
            if parts[2:] == ["deep_link_return"]:
                status, page = p._deep_link_return(course, parse_qs(raw.decode()))
                return self._send(status, page, "text/html")
            if parts[2:3] == ["lineitems"] and len(parts) == 3:
                if not p._check_bearer(self.headers, LINEITEM_SCOPE):
                    return self._send(401, {"error": "invalid_token"})
                body = json.loads(raw or b"{}")
                item_id = str(len(course.line_items) + 1)
                item = {**body, "id": f"{p.url}/courses/{course.context_id}/lineitems/{item_id}"}
                course.line_items[item_id] = item
                return self._send(201, item, "application/vnd.ims.lis.v2.lineitem+json")
            if parts[2:3] == ["lineitems"] and parts[4:] == ["scores"]:
                if not p._check_bearer(self.headers, SCORE_SCOPE):
                    return self._send(401, {"error": "invalid_token"})
                if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                    return self._send(415, {"error": "wrong content type"})
                status, body = p._score(course, parts[3], json.loads(raw or b"{}"))
                return self._send(status, body)
        return self._send(404, {"error": "not found"})
