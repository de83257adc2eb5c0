"""Code-set pages: releases (admins), the release diff and the content review queue (instructors and admins)."""

from __future__ import annotations

import markdown
import nh3
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.permissions import require_admin, require_author

from . import selectors
from .forms import FlagResolveForm, ReleaseUploadForm
from .models import ChangeKind, CodeSetRelease, CodeSystem, ReleaseStatus
from .services import CodeSetImportError, content_flag_resolve, release_activate, release_upload_create
from .services.activation import OlderReleaseError, older_release_warning
from .uploads_http import admin_upload

CHANGES_PER_PAGE = 100


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@require_GET
def release_list(request):
    require_admin(request.user)
    releases = (
        selectors.release_list_for_user(user=request.user)
        .annotate(
            added=Count("changes", filter=Q(changes__kind=ChangeKind.ADDED)),
            deleted=Count("changes", filter=Q(changes__kind=ChangeKind.DELETED)),
            revised=Count("changes", filter=Q(changes__kind=ChangeKind.REVISED)),
        )
    )
    by_system: dict[str, list[CodeSetRelease]] = {}
    for release in releases:
        by_system.setdefault(release.system, []).append(release)
    systems = [
        {"value": value, "label": label, "releases": by_system.get(value, [])}
        for value, label in CodeSystem.choices
        if value != CodeSystem.ICD10PCS or by_system.get(value)
    ]
    open_flags = selectors.flag_queue(user=request.user).count()
    return render(request, "codesets/release_list.html", {"systems": systems, "open_flags": open_flags})


@csrf_exempt
def release_upload(request):
    """Upload a release: checked here (format, size, duplicates), imported by a background task."""
    return admin_upload(request, form_class=ReleaseUploadForm, page=_upload_page, handle=_upload_post)


def _upload_post(request, form):
    data = form.cleaned_data
    try:
        release, created = release_upload_create(
            system=data["system"],
            upload=data["file"],
            order_upload=data.get("order_file"),
            label=data["label"],
            effective_from=data["effective_from"],
            descriptors_are_licensed=data.get("descriptors_are_licensed", False),
            actor=request.user,
        )
    except CodeSetImportError as exc:
        return _upload_page(request, form, exc.message, status=400)
    if created:
        # Say what is true now: a worker or the embedded mode's thread may already be done, or not started.
        release.refresh_from_db()
        if release.status == ReleaseStatus.READY:
            messages.success(request, f"{release}: {release.progress_message}.")
        elif release.status == ReleaseStatus.IMPORTING:
            messages.info(request, f"The file was checked. {release} is being imported; the progress is below.")
    else:
        messages.info(request, f"This file was already imported as {release}; nothing new was created.")
    if request.htmx:  # the upload page sends the file itself to show its progress; it follows this
        return HttpResponseClientRedirect(reverse("codesets:release_detail", args=[release.pk]))
    return redirect("codesets:release_detail", release_id=release.pk)


def _upload_page(request, form, error: str = "", status: int = 200):
    return render(
        request,
        "codesets/release_upload.html",
        {"form": form, "error": error, "max_upload_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
        status=status,
    )


@require_GET
def release_detail(request, release_id: int):
    require_admin(request.user)
    release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
    current = selectors.current_release(system=release.system)
    context = {
        "release": release,
        "progress": selectors.release_progress(release=release),
        "counts": selectors.release_change_counts(release=release),
        "current": current,
        "older_warning": older_release_warning(release=release, current=current) if release.status == ReleaseStatus.READY else "",
    }
    return render(request, "codesets/release_detail.html", context)


@require_GET
def release_progress(request, release_id: int):
    """htmx polling target: the progress block; asks for a page refresh once the import ends."""
    require_admin(request.user)
    release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
    progress = selectors.release_progress(release=release)
    response = render(request, "codesets/_progress.html", {"release": release, "progress": progress})
    if progress["done"]:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def release_activate_view(request, release_id: int):
    require_admin(request.user)
    release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
    previous = selectors.current_release(system=release.system)
    try:
        release_activate(release=release, actor=request.user, ip_address=_client_ip(request),
                         allow_older=request.POST.get("confirm_older") == "1")
    except OlderReleaseError as exc:
        messages.warning(request, f"Not changed. {exc.message} Confirm below if that is what you want.")
        return redirect("codesets:release_detail", release_id=release.pk)
    except CodeSetImportError as exc:
        messages.error(request, exc.message)
        return redirect("codesets:release_detail", release_id=release.pk)
    if previous is not None and previous.pk != release.pk and previous.effective_from > release.effective_from:
        messages.warning(request, f"{release} is now the current {release.get_system_display()} release, "
                                  f"replacing the newer {previous.label}. Lookups and new cases use {release.label}.")
    else:
        messages.success(request, f"{release} is now the current {release.get_system_display()} release.")
    return redirect("codesets:release_detail", release_id=release.pk)


@require_GET
def release_changes(request, release_id: int):
    require_author(request.user)
    release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
    kind = request.GET.get("kind", "")
    if kind not in selectors.CHANGE_KINDS:
        kind = ""
    chapter = request.GET.get("chapter", "")[:8]
    chapters = selectors.release_chapter_summary(release=release)
    if chapter and chapter not in {row["chapter"] for row in chapters}:
        chapter = ""
    page = Paginator(selectors.release_changes(release=release, kind=kind, chapter=chapter), CHANGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "release": release,
        "kind": kind,
        "chapter": chapter,
        "chapters": chapters,
        "counts": selectors.release_change_counts(release=release, chapter=chapter),
        "all_counts": selectors.release_change_counts(release=release),
        "page": page,
        "kinds": [(value, label) for value, label in ChangeKind.choices],
        "open_flags": selectors.flag_queue(user=request.user, release_id=release.pk).count(),
    }
    return render(request, "codesets/release_changes.html", context)


@require_GET
def release_whats_new(request, release_id: int):
    """Preview of the generated review lesson (the courses app publishes it)."""
    require_author(request.user)
    release = selectors.release_for_user_or_404(user=request.user, release_id=release_id)
    text = selectors.whats_new_markdown(release=release)
    if request.GET.get("format") == "md":
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="whats-new-{release.system}-{release.label}.md"'
        return response
    html = nh3.clean(markdown.markdown(text, extensions=["tables"]))
    return render(request, "codesets/release_whats_new.html", {"release": release, "html": html})


@require_GET
def flag_queue(request):
    require_author(request.user)
    try:
        release_id = int(request.GET.get("release") or 0) or None
    except ValueError:
        release_id = None
    flags = list(selectors.flag_queue(user=request.user, release_id=release_id))
    groups: dict[int, dict] = {}
    for flag in flags:
        group = groups.setdefault(flag.release_id, {"release": flag.release, "flags": []})
        group["flags"].append(flag)
    context = {
        "groups": list(groups.values()),
        "releases": selectors.flag_release_summary(user=request.user),
        "release_id": release_id,
        "total": len(flags),
        "form": FlagResolveForm(),
    }
    return render(request, "codesets/flag_queue.html", context)


@require_POST
def flag_resolve(request, flag_id: int):
    require_author(request.user)
    flag = selectors.flag_for_author_or_404(user=request.user, flag_id=flag_id)
    form = FlagResolveForm(request.POST)
    back = reverse("codesets:flag_queue") + (f"?release={flag.release_id}" if request.POST.get("filtered") else "")
    if not form.is_valid():
        messages.error(request, f"{flag.target_label}: " + " ".join(form.errors.get("note", [])))
        return redirect(back)
    content_flag_resolve(flag=flag, actor=request.user, note=form.cleaned_data["note"])
    messages.success(request, f"Resolved: {flag.target_label} ({flag.code}).")
    return redirect(back)

