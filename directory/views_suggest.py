"""Placeholder for "suggest a correction": the moderation work replaces this module's view.

It exists so provider pages can link to `directory:suggest-correction` today.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from directory.http import public_page
from providers.models import ServiceAtLocation


@public_page
def suggest_correction(request: HttpRequest, pk) -> HttpResponse:
    sal = get_object_or_404(
        ServiceAtLocation.objects.listed().select_related("service__organization"), pk=pk
    )
    return render(request, "directory/suggest_correction.html", {"sal": sal})
