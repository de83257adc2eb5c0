from .authoring import case_create, case_edit, case_move_release, case_validate  # noqa: F401
from .case_review import (  # noqa: F401
    case_pilot_cohorts,
    case_review,
    case_review_send,
    case_review_send_back,
    case_review_verify,
)
from .review import (  # noqa: F401
    comment_add,
    override_line,
    override_total,
    review_export,
    review_queue,
    review_regrade,
    submission_review_state,
)
from .queries import override_query, query_send_view  # noqa: F401
from .sharing import case_share, case_unshare  # noqa: F401
from .case_list import case_list  # noqa: F401
from .workspace import (  # noqa: F401
    case_workspace,
    code_notes,
    draft_autosave,
    submission_detail,
    submission_result,
    submit,
)
