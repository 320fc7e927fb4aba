"""Form pieces of the kernel: a person's name in its canonical form, query
parameters that name what the public may see, and errors found after a form
was valid."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceField, ModelChoiceField

from aidportal.kernel.chinese import canonical_name


class NameField(forms.CharField):
    """A person's name, cleaned to its canonical form (no padding between
    the characters of a short name) before it is checked: the form shows,
    and the length limit counts, what will be saved."""

    def to_python(self, value):
        return canonical_name(super().to_python(value))


def _is_id(value):
    return isinstance(value, str) and value.isascii() and value.isdigit()


# Query parameters that name a row the public may see (a unit, a batch): a
# value that is no id is a 400 naming the parameter; an id the public may not
# see answers exactly as an id of nothing, a 404 that names nothing, so hidden
# rows can be neither read nor counted.
NOT_FOUND = "not_found"


class PublicRowChoiceField(ModelChoiceField):
    """A row by id, among the rows of ``queryset`` (what the public sees);
    looked up in ``fetched`` when its form fetched it already
    (``RowsFetchedOnceForm``)."""

    fetched = None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _is_row_id(value):
            raise ValidationError(_("应为数字编号。"), code="invalid")
        try:
            if self.fetched is not None:
                return self.fetched[int(value)]
            return self.queryset.get(pk=int(value))
        except (KeyError, self.queryset.model.DoesNotExist):
            raise ValidationError(_("没有这一项。"), code=NOT_FOUND) from None


def _is_row_id(value):
    return _is_id(value) and len(value) <= 18


class RowsFetchedOnceForm(forms.Form):
    """A form whose public-row fields of one queryset (a roster's sending
    and receiving unit) fetch their rows in one query, not one each."""

    def full_clean(self):
        if self.is_bound:
            by_queryset = {}
            for name, field in self.fields.items():
                if isinstance(field, PublicRowChoiceField):
                    by_queryset.setdefault(str(field.queryset.query), []).append(
                        (field, self[name].data)
                    )
            for named in by_queryset.values():
                ids = {int(value) for _field, value in named if _is_row_id(value)}
                if len(named) > 1 and ids:
                    fetched = named[0][0].queryset.in_bulk(ids)
                    for field, _value in named:
                        field.fetched = fetched
        super().full_clean()


class PublicNumberChoiceField(ChoiceField):
    """A number among the choices (what the public sees)."""

    def validate(self, value):
        if value in self.empty_values or self.valid_value(value):
            return super().validate(value)
        if _is_id(value) and len(value) <= 18:
            raise ValidationError(_("没有这一项。"), code=NOT_FOUND)
        raise ValidationError(_("应为数字编号。"), code="invalid")


def names_nothing_found(form: forms.Form) -> bool:
    """Whether a form failed because a parameter names no row the public may see."""
    return any(
        error.code == NOT_FOUND
        for errors in form.errors.as_data().values()
        for error in errors
    )


def with_errors(
    form_class: type[forms.BaseForm], errors: dict[str, str]
) -> type[forms.BaseForm]:
    """``form_class``, whose forms fail validation with ``errors`` (a message
    by prefixed field name, ``__all__`` for the form as a whole): to show a
    form again with an error that only its save could find."""

    class FormWithErrors(form_class):
        def full_clean(self):
            super().full_clean()
            if not hasattr(self, "cleaned_data"):
                return  # an unchanged extra inline form: not validated
            for name in (NON_FIELD_ERRORS, *self.fields):
                if message := errors.get(self.add_prefix(name)):
                    self.add_error(name, message)

    FormWithErrors.__name__ = FormWithErrors.__qualname__ = form_class.__name__
    return FormWithErrors
