"""The requester site's project form reader: what a browser can post that is no number of seconds."""

from __future__ import annotations

import pytest

from kempelen import errors
from kempelen.web.requester_site import project_form


@pytest.mark.parametrize("typed", ["1e400", "-1e400", "nan", "inf"])
def test_a_duration_that_is_no_finite_number_is_refused(typed):
    form = {"title": "t", "description": "d", "reward": "0.10", "duration_value": typed, "duration_unit": "hours"}
    with pytest.raises(errors.WorkerError) as refused:
        project_form.read(form)
    assert refused.value.code == "InvalidParameterValue"
    assert repr(typed) in refused.value.message
