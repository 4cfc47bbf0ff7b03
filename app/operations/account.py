"""GetAccountBalance. Every requester is in sandbox mode until the ledger exists."""

from __future__ import annotations

from app.operations.context import OperationContext
from app.operations.registry import operation
from app.schemas import generated as shapes

SANDBOX_BALANCE = "10000.00"  # what MTurk's sandbox always reported


@operation("GetAccountBalance", writes=False)
def get_account_balance(ctx: OperationContext, request: shapes.GetAccountBalanceRequest
                        ) -> shapes.GetAccountBalanceResponse:
    return shapes.GetAccountBalanceResponse(AvailableBalance=SANDBOX_BALANCE)
