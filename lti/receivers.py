"""Grade passback follows recorded scores (filled in by lti.services.passback)."""
