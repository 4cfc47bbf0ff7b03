"""The download end of GetFileUploadURL: a worker's uploaded file, to whoever holds an unexpired signed link
and to no one else (no other route serves uploads).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from kempelen import errors
from kempelen.clock import epoch_ms
from kempelen.operations.files import FILES_PATH, link_is_valid
from kempelen.store import file_uploads

router = APIRouter(tags=["files"])

_NOT_IN_QUOTED_ASCII = re.compile(r'[^\x20-\x7e]|["\\]')


@router.get(FILES_PATH + "/{key}", response_class=FileResponse)
def download(key: str, request: Request, Expires: str = "", Signature: str = "") -> Response:  # noqa: N803
    """The file behind a FileUploadURL, for 60 seconds of service time after GetFileUploadURL."""
    state = request.app.state
    directory = state.settings.effective_upload_dir()
    if not (Expires.isascii() and Expires.isdigit()) or not link_is_valid(directory, key, int(Expires), Signature,
                                                  epoch_ms(state.clock.now())):
        raise errors.file_link_invalid()
    with state.db.transaction(writes=False) as session:
        record = file_uploads.get(session, key)
    path = file_uploads.path_of(directory, key)
    if record is None or not path.is_file():
        raise errors.file_gone()
    # attachment + nosniff: an uploaded page is saved, never run as this server's own content
    return FileResponse(path, media_type=record.content_type, headers={
        "Content-Disposition": content_disposition(record.file_name),
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


def content_disposition(file_name: str) -> str:
    """RFC 6266: a plain-ASCII filename for old clients, and the exact name as filename* when it differs."""
    fallback = _NOT_IN_QUOTED_ASCII.sub("_", file_name)
    value = f'attachment; filename="{fallback}"'
    return value if fallback == file_name else f"{value}; filename*=UTF-8''{quote(file_name, safe='')}"
