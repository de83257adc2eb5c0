"""Business rules of the exercises app; views, serializers and tasks call these."""

from .authoring import (  # noqa: F401
    Issue,
    KeyRefused,
    answer_codes_check,
    answer_key_publish,
    case_move_to_release,
    case_privacy_warnings,
    case_save,
    key_line_clean,
    key_lines_clean,
    key_validate,
)
from .queries import provider_reply_for, query_for_draft, query_send, query_spec_save  # noqa: F401
from .review import (  # noqa: F401
    comment_create,
    grades_csv,
    score_override_line,
    score_override_query,
    score_override_total,
)
from .scoring import submission_score, submissions_score_all_pending, submissions_score_pending  # noqa: F401
from .submissions import (  # noqa: F401
    draft_get_or_create,
    draft_save,
    lines_clean,
    queue_scoring,
    submission_submit,
    submissions_regrade,
    submissions_requeue_stale,
)
