"""Certification pages: exams (take, review), blueprints, dashboards."""
