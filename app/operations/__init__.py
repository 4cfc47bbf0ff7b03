"""One module per area of the API; importing this package registers every implemented operation."""

# Registration happens on import: one line per module.
from app.operations import account  # noqa: F401
from app.operations import assignments  # noqa: F401
from app.operations import hits  # noqa: F401
from app.operations import worker_blocks  # noqa: F401
from app.operations.registry import REGISTRY, Operation

__all__ = ["REGISTRY", "Operation"]
