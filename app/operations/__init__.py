"""One module per area of the API; importing this package registers every implemented operation."""

# Registration happens on import: one line per module.
from kempelen.operations import account  # noqa: F401
from kempelen.operations import assignments  # noqa: F401
from kempelen.operations import bonuses  # noqa: F401
from kempelen.operations import files  # noqa: F401
from kempelen.operations import hits  # noqa: F401
from kempelen.operations import notifications  # noqa: F401
from kempelen.operations import notify_workers  # noqa: F401
from kempelen.operations import qualification_requests  # noqa: F401
from kempelen.operations import qualifications  # noqa: F401
from kempelen.operations import review_policies  # noqa: F401
from kempelen.operations import worker_blocks  # noqa: F401
from kempelen.operations.registry import REGISTRY, Operation

__all__ = ["REGISTRY", "Operation"]
