"""Flag answer-key lines that name a code deleted or revised by a newly ready release; keep caches honest."""

from __future__ import annotations

from django.db.models import Max
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from codesets.models import ChangeKind, Code, CodeSetRelease, ReleaseChange
from codesets.services import content_flag_raise
from codesets.signals import release_ready

from .grading import display_code
from .models import AnswerKey, AnswerKeyLine
from .oracle import forget_release
from .scoring import forget_key


@receiver(release_ready, dispatch_uid="exercises.flag_changed_key_codes")
def flag_changed_key_codes(sender, release, **kwargs) -> int:
    changes = {
        change.code: change
        for change in ReleaseChange.objects.filter(release=release, kind__in=[ChangeKind.DELETED, ChangeKind.REVISED])
    }
    if not changes:
        return 0
    latest = dict(AnswerKey.objects.values_list("case_id").annotate(v=Max("version")))
    lines = [
        line
        for line in AnswerKeyLine.objects.filter(system=release.system).select_related("key__case")
        if latest.get(line.key.case_id) == line.key.version
    ]
    flagged = 0
    for line in lines:
        for code in (line.code, *(line.alternates or [])):
            change = changes.get(code)
            if change is None:
                continue
            case = line.key.case
            verb = "deleted" if change.kind == ChangeKind.DELETED else "revised"
            content_flag_raise(
                release=release, code=code, change_kind=change.kind, target_type="exercises.answerkeyline",
                target_id=line.pk,
                target_label=f"{case.title} — key v{line.key.version} line {line.order + 1} ({display_code(code)})",
                target_url=reverse("exercises:case_edit", args=[case.slug]),
                reason=f"{display_code(code)} was {verb} in {release}. The case stays on its pinned release until "
                       "an instructor moves it forward.",
            )
            flagged += 1
    return flagged


# In-process caches are keyed by id. Ids are never reused in a live database, but a saved row (or a
# test database that reuses ids) must not be graded with stale data, so drop what it could affect.
@receiver(post_save, sender=CodeSetRelease, dispatch_uid="exercises.forget_release_facts")
def _forget_release_facts(sender, instance, **kwargs) -> None:
    forget_release(instance.pk)


@receiver(post_save, sender=Code, dispatch_uid="exercises.forget_code_facts")
def _forget_code_facts(sender, instance, **kwargs) -> None:
    forget_release(instance.release_id)


@receiver(post_save, sender=AnswerKey, dispatch_uid="exercises.forget_compiled_key")
@receiver(post_save, sender=AnswerKeyLine, dispatch_uid="exercises.forget_compiled_key_line")
def _forget_compiled_key(sender, instance, **kwargs) -> None:
    forget_key(instance.pk if sender is AnswerKey else instance.key_id)
