"""
Files written through Django's storage API (the default storage, which every web process shares)
alongside database writes that may still be rolled back.

A file is stored before the transaction that refers to it commits (its name goes into the row). If
the transaction is rolled back, the row is gone but the file would stay: an orphan nobody can reach.
`stored_files_removed_on_error()` around the transaction deletes every file stored inside it
(`stored_file_record`) when the block raises; nested blocks hand their files to the enclosing one,
so a batch rolled back by its last document removes the files of the first ones too.
"""

import contextvars
import logging
from contextlib import contextmanager

logger = logging.getLogger(__name__)

_stored = contextvars.ContextVar("citeline_stored_files", default=None)


def stored_file_record(storage, name):
    """Note a file just stored, so that the enclosing stored_files_removed_on_error() deletes it on a rollback."""
    files = _stored.get()
    if files is not None:
        files.append((storage, name))


@contextmanager
def stored_files_removed_on_error():
    """Delete the files stored inside the block (stored_file_record) if the block raises; keep them otherwise."""
    outer = _stored.get()
    files = []
    token = _stored.set(files)
    try:
        yield
    except BaseException:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:  # never hide the error that rolled the import back
                logger.warning("Could not delete %s after a rollback; delete it by hand.", name, exc_info=True)
        raise
    finally:
        _stored.reset(token)
    if outer is not None:
        outer.extend(files)
