"""Self-hosted API documentation (Swagger UI and Redoc from drf-spectacular-sidecar, no CDN, no inline script)."""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerDocsView(SpectacularSwaggerSplitView):
    template_name = "lti/api_docs_swagger.html"
    url_name = "api-schema"


class RedocDocsView(SpectacularRedocView):
    template_name = "lti/api_docs_redoc.html"
    url_name = "api-schema"
