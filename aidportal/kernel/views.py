"""Views and view pieces every app uses: public pages that only read, list
pages narrowed by a FilterSet, previews for staff."""

from collections.abc import Callable

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from aidportal.kernel.forms import names_nothing_found
from aidportal.kernel.policy import may_see_unpublished


class FilteredListMixin:
    """A view narrowed by a django-filter FilterSet from the query string.

    A value the FilterSet cannot read (an unknown channel, a malformed date, a
    NUL byte) is answered with a 400 page naming the parameter, not with an
    empty list that looks like "no results"; an id of a row the public may
    not see, with a 404 that names nothing. Works for list and export views.
    The context's ``filtered`` says whether anything narrows the rows.
    """

    filterset_class = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.filterset_class is not None:
            # The page cache keeps apart the filters and the page (its number,
            # and its cursors where SeekPageMixin gives it some), nothing else.
            cls.page_cache_params = (
                *cls.filterset_class.base_filters,
                "page",
                *getattr(cls, "seek_params", ()),
            )

    def get_base_queryset(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            self.filterset = self.filterset_class(
                request.GET, queryset=self.get_base_queryset(), request=request
            )
            if not self.filterset.is_valid():
                if names_nothing_found(self.filterset.form):
                    raise Http404
                return render(
                    request,
                    "400.html",
                    {"form_errors": self.filterset.form.errors},
                    status=400,
                )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        selected = self.filterset.form.cleaned_data
        # A sort order (the FilterSet's ``orderings``) narrows nothing.
        orderings = getattr(self.filterset, "orderings", ())
        return super().get_context_data(
            filter=self.filterset,
            selected=selected,
            filtered=any(
                value not in (None, "")
                for name, value in selected.items()
                if name not in orderings
            ),
            **kwargs,
        )


class PublishedDetailView(DetailView):
    """One published row of ``model``, as the public reads it (404 for any
    other)."""

    def get_queryset(self):
        return self.model.objects.published().for_detail()


class PreviewMixin:
    """A detail view of any status, for staff who may view the model in the
    admin; a 404 for everyone else (anonymous visitors, reporters). Never
    cached anywhere: ``Cache-Control: private, no-store``."""

    def dispatch(self, request, *args, **kwargs):
        if not may_see_unpublished(request.user, self.model):
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        patch_vary_headers(response, ["Cookie"])
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_queryset(self):
        return self.model.objects.for_detail()

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


def read_only(view: Callable) -> Callable:
    """A public page: GET and HEAD are answered, any other method is a 405.

    Without this, CsrfViewMiddleware answers a POST that carries no token
    with a 403 before the view can refuse the method. A view that changes
    nothing has nothing for a CSRF token to protect, so the check is skipped
    for it and the client is told the real reason: 405, Allow: GET, HEAD.
    """
    return csrf_exempt(require_safe(view))
