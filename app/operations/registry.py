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


REGISTRY: dict[str, Operation] = {}


def operation(name: str, *, writes: bool = True) -> Callable[[Implementation], Implementation]:
    def register(implementation: Implementation) -> Implementation:
        if name in REGISTRY:
            raise RuntimeError(f"{name} is registered twice")
        REGISTRY[name] = Operation(name, implementation, writes)
        return implementation
    return register
