"""What a worker does, shared by every door: the worker JSON API (kempelen.web.workers), the worker website
(kempelen.web.worker_site), externalSubmit, the CLI and the simulated workforce. One implementation of each
action; the doors only translate HTTP to these calls.

Where to look:
- context:        WorkerContext (who, when, in which transaction); may this worker find/preview/accept a
                  HIT (blocks, QualificationRequirements); loading a HIT or one's own assignment
- discover:       the HITs a worker may take, HIT groups for the website, previewing a HIT
- lifecycle:      accept (a HIT, or the next of a group), return, submit
- answers:        reading submitted answers (JSON, QuestionFormAnswers XML) and checking them
- uploads:        files for FileUploadAnswer questions
- mine:           one's own assignments; the dashboard's figures
- qualifications: requestable types, requesting one, taking its test, one's scores, the inbox
- views:          how HITs and assignments look to a worker (dicts in MTurk's vocabulary)
- profiles:       worker accounts as the API knows them (create, view, the profile system types read)
- accounts:       the website's sign-up, passwords, invite codes, one-time sign-in links
- paging:         NextToken and MaxResults of the worker lists

The names below are re-exported so a door can say ``from kempelen.operations import worksite`` and call
``worksite.accept_hit(ctx, hit_id)``.
"""

from kempelen.operations.worksite.context import (WorkerContext, check_allowed, hidden_hit_types,  # noqa: F401
                                                  worker_context)
from kempelen.operations.worksite.discover import list_hits, preview_hit  # noqa: F401
from kempelen.operations.worksite.lifecycle import (accept_from_group, accept_hit, accept_next,  # noqa: F401
                                                    next_after_submit, return_assignment, submit_assignment)
from kempelen.operations.worksite.mine import get_assignment, list_assignments  # noqa: F401
from kempelen.operations.worksite.profiles import (EMAIL_MAX, WORKER_ID_MAX, create_worker,  # noqa: F401
                                                   set_profile, worker_view)
from kempelen.operations.worksite.uploads import IncomingFile, upload_file  # noqa: F401
from kempelen.operations.worksite.views import assignment_view, frame_url  # noqa: F401
