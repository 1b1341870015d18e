"""Form fields for dates typed the way people and sources write them."""

from django import forms
from django.core.exceptions import ValidationError

from sources.importing import slug_for
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


def slug_unique(model, text, *, exclude_pk=None):
    """
    A slug for a new `model` row named `text`, made on the server: words joined by a dash of any kind
    stay joined ("Rasht–Astara" → rasht-astara, which the admin's URLify script would make
    rashtastara), any script transliterated; -2, -3… when another row has it.
    """
    max_length = model._meta.get_field("slug").max_length
    base = slug_for(text, max_length=max_length - 4)
    others = model._default_manager.exclude(pk=exclude_pk) if exclude_pk else model._default_manager.all()
    slug, number = base, 1
    while others.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


class SlugFromNameForm(forms.ModelForm):
    """A model form whose slug may be left empty: then it is made from `slug_source` (the name or title) by slug_unique."""

    slug_source = "name"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = " ".join(
                part for part in (
                    str(self.fields["slug"].help_text),
                    f"Leave it empty to have it made from the {self.slug_source}, words joined by dashes kept joined "
                    "(“Rasht–Astara” → rasht-astara). Once readers have links to it, keep it as it is.",
                ) if part
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get(self.slug_source):
            cleaned["slug"] = slug_unique(self._meta.model, cleaned[self.slug_source], exclude_pk=self.instance.pk)
        return cleaned
