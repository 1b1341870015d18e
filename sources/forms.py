"""Form fields for dates typed the way people and sources write them."""

from django import forms
from django.core.exceptions import ValidationError

from sources.natural_dates import date_to_edtf

NATURAL_DATE_HELP = (
    "EDTF (2015, 2022-07, 2007~, 2011/2019, ../1999) or words: July 2022, June 28, 2019, mid-2015, c. 2007, "
    "before 2000, between 2011 and 2019, 15 مرداد 1397, خرداد 1397, 1392 ش. Saved as EDTF."
)


class NaturalDateField(forms.CharField):
    """A date in EDTF or in words ("mid-2015", "c. 2007", "خرداد 1397"); cleans to its DateBounds, or None when empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return date_to_edtf(value)
        except ValidationError as exc:
            # The message is already formatted and may hold the visitor's text ("%", "%ZZ"): it goes in as a
            # parameter, never as the template, which django-filter and DRF %-format again.
            raise ValidationError(
                "%(reason)s", code=exc.error_list[0].code or "unreadable_date", params={"reason": exc.messages[0]}
            ) from None
