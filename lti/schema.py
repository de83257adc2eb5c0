"""OpenAPI description of the API token scheme (Bearer tokens with scopes)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .api_auth import SCOPES


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lti.api_auth.ScopedOAuth2Authentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "A personal token (Codewise: API tokens) or an OAuth 2 client-credentials token from "
                           "/o/token/. It works only on endpoints that list the scopes it needs.",
            "flows": {"clientCredentials": {"tokenUrl": "/o/token/", "scopes": SCOPES}},
        }

    def get_security_requirement(self, auto_schema):
        from .api_auth import required_scopes_for

        scopes = required_scopes_for(auto_schema.view, auto_schema.method)
        return {self.name: scopes} if scopes else None
