"""The information pages: get help now, browse safely, about (templates only, plus hotlines)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from directory.http import public_page


@public_page
def get_help(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/get_help.html")


@public_page
def browse_safely(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/browse_safely.html")


@public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/about.html")
