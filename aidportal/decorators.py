from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


def read_only(view):
    """A public page: GET and HEAD are answered, any other method is a 405.

    Without this, CsrfViewMiddleware answers a POST that carries no token
    with a 403 before the view can refuse the method. A view that changes
    nothing has nothing for a CSRF token to protect, so the check is skipped
    for it and the client is told the real reason: 405, Allow: GET, HEAD.
    """
    return csrf_exempt(require_safe(view))
