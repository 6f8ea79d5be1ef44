"""Site-wide response headers that depend on where a page is (see directory/http.py)."""

from django.urls import reverse

from directory.http import SAME_ORIGIN


class AdminReferrerPolicyMiddleware:
    """Every admin page is a form: `Referrer-Policy: same-origin` under the admin's URL.

    Listed after SecurityMiddleware, so it sees the response first; SecurityMiddleware only
    sets its "no-referrer" where no policy is set yet.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            response.headers.setdefault("Referrer-Policy", SAME_ORIGIN)
        return response
