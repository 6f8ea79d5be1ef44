"""Export buttons on the providers list: the same files as `export_hsds` and `export_csv`."""

import io
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone

from providers.importers.export import export_hsds
from providers.importers.export_flat import export_csv
from providers.permissions import is_editor


def _filename(extension: str) -> str:
    return f"resource-map-{timezone.localdate().isoformat()}.{extension}"


def hsds_zip(request: HttpRequest) -> FileResponse:
    """The published directory as an HSDS data package (.zip)."""
    if not is_editor(request.user):
        raise PermissionDenied
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.zip"
        export_hsds(path)
        data = path.read_bytes()
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=_filename("zip"))
    return response


def spreadsheet_csv(request: HttpRequest) -> HttpResponse:
    """The published directory in the flat spreadsheet template (.csv)."""
    if not is_editor(request.user):
        raise PermissionDenied
    buffer = io.StringIO()
    export_csv(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response
