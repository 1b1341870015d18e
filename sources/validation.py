"""Validation errors as one line of text, for commands, importers and loaders that report on a terminal."""

from django.core.exceptions import ValidationError


def validation_error_text(exc: ValidationError) -> str:
    """ "date: “2015-13” is not a valid EDTF date …; slug: …" — field by field, or the messages alone."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)
