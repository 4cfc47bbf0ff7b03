"""Operation name -> implementation. The names come from botocore's model (kempelen.schemas)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from kempelen.operations.context import OperationContext

Implementation = Callable[[OperationContext, BaseModel], BaseModel]


@dataclass(frozen=True)
class Operation:
    name: str
    implementation: Implementation
    writes: bool
    # On PostgreSQL the key check goes with the unit's first statement rather than ahead of everything, so
    # that a unit of one statement can make it inside that statement (kempelen.store.db.WriteUnit.alone)
    defers_check: bool = False


REGISTRY: dict[str, Operation] = {}


def operation(name: str, *, writes: bool = True, defers_check: bool = False
              ) -> Callable[[Implementation], Implementation]:
    def register(implementation: Implementation) -> Implementation:
        if name in REGISTRY:
            raise RuntimeError(f"{name} is registered twice")
        REGISTRY[name] = Operation(name, implementation, writes, defers_check)
        return implementation
    return register
