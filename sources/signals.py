"""What the sources layer announces to the layers above it, which may keep things pointing into sources."""

from django.dispatch import Signal

# Sent by a re-import inside its transaction, once the new passages are saved (`new_passages`, in
# order) and while the old ones still exist, to be deleted right after. Receivers move whatever
# points at the old passages of `source` and return a collections.Counter of what they did
# (e.g. {"kept": 3, "moved": 1}); the importer reports the sum.
passages_replaced = Signal()
