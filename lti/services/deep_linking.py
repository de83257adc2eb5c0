"""Deep linking: an instructor picks Codewise items for the course; graded ones get a gradebook column."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem as LibLineItem

from accounts.services import audit_record

from ..models import GRADED_KINDS, ContextLink, Deployment, TargetKind
from ..protocol import ToolRegistration
from .launches import CUSTOM_TARGET, line_item_record, parse_target

MAX_ITEMS = 50


@dataclass(frozen=True)
class Pickable:
    value: str  # "kind:ref", the custom parameter each placement launches with
    title: str
    kind: str

    @property
    def graded(self) -> bool:
        return self.kind in GRADED_KINDS


def pickable_items(*, user) -> dict[str, list[Pickable]]:
    """What an instructor may place in a course, by kind, in the order Codewise shows them."""
    from certification.domains import DOMAIN_CHOICES
    from certification.models import Blueprint
    from courses.models import Lesson, Module
    from exercises.case_library import module_titles
    from exercises.models import Case

    cases = list(Case.objects.published().order_by("title").values_list("slug", "title", "module_slug"))
    titles = module_titles()
    sets = sorted({slug for _, _, slug in cases if slug}, key=lambda s: titles.get(s, s))
    blueprints = Blueprint.objects.visible_to(user).exclude(slug__startswith="drill-")
    return {
        TargetKind.CASE: [Pickable(f"case:{slug}", title, TargetKind.CASE) for slug, title, _ in cases],
        TargetKind.CASE_SET: [Pickable(f"case_set:{slug}", f"Cases: {titles.get(slug, slug)}", TargetKind.CASE_SET)
                              for slug in sets],
        TargetKind.EXAM: [Pickable(f"exam:{b.slug}", b.name, TargetKind.EXAM) for b in blueprints],
        TargetKind.DRILL: [Pickable(f"drill:{code}", f"Drill: {label}", TargetKind.DRILL) for code, label in DOMAIN_CHOICES],
        TargetKind.MODULE: [Pickable(f"module:{m.pk}", f"{m.program.title}: {m.title}", TargetKind.MODULE)
                            for m in Module.objects.select_related("program").order_by("program__title", "position")],
        TargetKind.LESSON: [Pickable(f"lesson:{lesson.pk}", f"{lesson.module.title}: {lesson.title}", TargetKind.LESSON)
                            for lesson in Lesson.objects.select_related("module").order_by("module__title", "position")],
    }


@dataclass(frozen=True)
class DeepLinkAnswer:
    jwt: str
    return_url: str
    items: list[Pickable]


def deep_link_respond(*, actor, platform_id: int, deployment_id: str, settings: Mapping, context_id: int | None,
                      chosen: Iterable[str], launch_url: str) -> DeepLinkAnswer:
    """The signed LtiDeepLinkingResponse placing the chosen items; a line item for each graded one."""
    available = {p.value: p for group in pickable_items(user=actor).values() for p in group}
    picked = [available[value] for value in dict.fromkeys(chosen) if value in available]
    if not picked:
        raise ValidationError("Choose at least one item to add to the course.")
    if len(picked) > MAX_ITEMS:
        raise ValidationError(f"Add at most {MAX_ITEMS} items at a time.")
    accept_multiple = settings.get("accept_multiple", True) in (True, "true")
    if not accept_multiple and len(picked) > 1:
        raise ValidationError("This course link holds one item: choose one.")
    deployment = Deployment.objects.select_related("platform").get(platform_id=platform_id, deployment_id=deployment_id)
    context = ContextLink.objects.filter(pk=context_id, deployment=deployment).first() if context_id else None
    resources = []
    for item in picked:
        resource = (DeepLinkResource().set_url(launch_url).set_title(item.title)
                    .set_custom_params({CUSTOM_TARGET: item.value}))
        if item.graded:
            kind, ref = parse_target(item.value)
            resource.set_lineitem(LibLineItem().set_label(item.title).set_score_maximum(100)
                                  .set_resource_id(item.value).set_tag("codewise"))
            if context is not None:
                line_item_record(context=context, kind=kind, ref=ref, label=item.title)
        resources.append(resource)
    link = DeepLink(ToolRegistration(deployment.platform), deployment_id, dict(settings))
    token = link.get_response_jwt(resources)
    audit_record(actor=actor, action="lti.items_placed", target=context or deployment,
                 after={"items": [p.value for p in picked]})
    return DeepLinkAnswer(jwt=token, return_url=settings["deep_link_return_url"], items=picked)
