"""Role checks shared by views and API endpoints."""

from __future__ import annotations

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def require_author(user) -> None:
    if not (user.is_authenticated and user.can_author):
        raise PermissionDenied("Only instructors and administrators can do this.")


def require_admin(user) -> None:
    if not (user.is_authenticated and user.is_admin):
        raise PermissionDenied("Only administrators can do this.")


class AuthorRequiredMixin(UserPassesTestMixin):
    raise_exception = True

    def test_func(self) -> bool:
        return self.request.user.is_authenticated and self.request.user.can_author


class AdminRequiredMixin(UserPassesTestMixin):
    raise_exception = True

    def test_func(self) -> bool:
        return self.request.user.is_authenticated and self.request.user.is_admin


class IsAuthor(BasePermission):
    message = "Only instructors and administrators can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.can_author)


class IsPlatformAdmin(BasePermission):
    message = "Only administrators can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)
