"""One module per area of the API; importing this package registers every implemented operation."""

from app.operations import account, assignments, hits  # noqa: F401  (registration happens on import)
from app.operations.registry import REGISTRY, Operation

__all__ = ["REGISTRY", "Operation"]
