import shutil

import pytest

from sources.models import Source
from tests.sources.helpers import BAGHAI_FILE, import_sources, write_manifest


@pytest.fixture
def baghai_copy(tmp_path):
    """A copy of the 004 demo article imported under its own slug; its file, manifest and source."""
    path = tmp_path / "baghai.txt"
    shutil.copy(BAGHAI_FILE, path)
    manifest = write_manifest(tmp_path, [{"file": "baghai.txt", "slug": "baghai-copy", "authors": ["Christian Baghai"]}])
    import_sources(manifest=manifest)
    return path, manifest, Source.objects.get(slug="baghai-copy")
