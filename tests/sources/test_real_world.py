"""Issue 13: faithful HTML, PDFs with pages, import by URL with an archived copy, slugs, dates in more languages."""

import gzip
import http.server
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from sources import importing
from sources.extract import mentions_extract
from sources.importing import document_import, slug_for
from sources.ingest import ImportRefused, bytes_decode, document_parse
from sources.models import Passage, PassageRole, Source, SourceVersion
from tests.sources.pdfs import encrypted, pdf_bytes
from timeline import citing

MAX = 10 * 1024 * 1024


def parse(html, name="page.html", **kwargs):
    raw = html.encode("utf-8") if isinstance(html, str) else html
    return document_parse(raw, filename=name, max_bytes=MAX, **kwargs)


def page(body, head=""):
    return f"<!doctype html><html><head><title>Report</title>{head}</head><body>{body}</body></html>"


LONG = "and the talks went on for many hours between the two delegations in the capital"

# --- Faithful HTML -------------------------------------------------------------------------


def test_line_breaks_are_breaks():
    parsed = parse(page(f"<article><h1>Title of the report</h1><p>The first part ends here.<br>The second {LONG}.</p></article>"))
    texts = [p.text for p in parsed.passages]
    assert "The first part ends here." in texts
    assert not any("here.The second" in text for text in texts)


def test_text_directly_under_main_is_kept():
    parsed = parse(
        page(f"<main><h1>A report on the talks</h1>Berlin, 24. Oktober 2005. The lead paragraph {LONG}."
             f"<p>A second paragraph {LONG}.</p>Closing words that stand in main itself {LONG}.</main>")
    )  # fmt: skip
    text = parsed.text
    assert "Berlin, 24. Oktober 2005. The lead paragraph" in text
    assert "Closing words that stand in main itself" in text


def test_persian_zero_width_non_joiner_survives():
    word = "تحریم\u200cهای"
    parsed = parse(
        page(f"<article><p>{word} آمریکا علیه ایران که بسیار گسترده است و ادامه دارد و هر روز بیشتر می‌شود.</p></article>")
    )
    assert word in parsed.text


@pytest.mark.parametrize(
    ("raw", "charset"),
    [
        (page("<article><p>Café à Téhéran, accord signé en 2025 " + LONG + ".</p></article>",
              '<meta charset="iso-8859-1">').encode("latin-1"), None),
        (page("<article><p>Café à Téhéran, accord signé en 2025 " + LONG + ".</p></article>",
              '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">').encode("cp1252"), None),
        (page("<article><p>Café à Téhéran, accord signé en 2025 " + LONG + ".</p></article>").encode("latin-1"), "ISO-8859-1"),
        (b"\xff\xfe" + page("<article><p>Café à Téhéran, accord signé en 2025 " + LONG + ".</p></article>").encode("utf-16-le"), None),
    ],
    ids=["meta charset", "http-equiv", "server charset", "utf-16 with bom"],
)  # fmt: skip
def test_declared_charsets_are_read(raw, charset):
    assert "Café à Téhéran" in parse(raw, charset=charset).text


def test_undeclared_latin1_page_is_detected():
    html = page(
        "<article><p>Les négociations à Téhéran ont été très difficiles, déclare le ministre français " + LONG + ".</p></article>"
    )
    assert "négociations à Téhéran" in parse(html.encode("latin-1")).text


def test_utf16_without_bom_is_refused_with_the_right_words():
    with pytest.raises(ImportRefused, match="UTF-16 without a byte-order mark"):
        bytes_decode("Plain text of a note.".encode("utf-16-le"), filename="note.txt", max_bytes=MAX)


def test_nul_after_the_first_8_kb_is_refused_before_writing():
    raw = b"A line of text.\n" * 1000 + b"bad \x00 byte\n"
    with pytest.raises(ImportRefused, match=r"NUL byte at line 1001"):
        bytes_decode(raw, filename="note.txt", max_bytes=MAX)


def test_navigation_only_page_is_refused():
    with pytest.raises(ImportRefused, match="no main text"):
        parse(
            page(
                '<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav><main><h1>Welcome</h1></main>'
            )
        )


def test_bare_copyright_year_is_a_year_not_a_day():
    parsed = parse(
        page(f"<article><h1>Talks resume</h1><p>The {LONG}.</p><p>More {LONG}.</p></article><footer>© 2016 Example News</footer>")
    )
    assert parsed.metadata.get("issued") in ("", "2016")


# --- Boilerplate ------------------------------------------------------------------------------

FURNITURE = [
    "Read more: Iran and Russia sign a new gas deal",
    "Auch interessant: Die besten Reiseziele im Herbst",
    "A lire aussi : Le nucléaire iranien en questions",
    "Our Standards: The Thomson Reuters Trust Principles.",
    "Sign up for our newsletter to get the best stories straight to your inbox.",
    "Print | Permalink",
]
MAIN = [
    "Iran and Russia signed a comprehensive strategic partnership treaty in Moscow on 17 January 2025.",
    "The treaty stops short of a mutual defence clause, a weaker promise than an alliance would be.",
    "The photographs, released under a Creative Commons licence by the ministry, show the signing ceremony in the Kremlin.",
    "An image from the satellite showed new construction at the port of Bandar Abbas, analysts said on Monday.",
    "Diplomats said the corridor through the Caspian Sea would cut shipping times to India by about ten days.",
]


def _pages():
    body = lambda furniture: "".join(  # noqa: E731
        f"<p>{main}</p>" + (f"<p>{furniture[i]}</p>" if i < len(furniture) else "") for i, main in enumerate(MAIN)
    )
    return [
        page(f"<article><h1>Tehran and Moscow sign a treaty</h1>{body(FURNITURE)}</article>"),
        page(f"<main><h1>Der Vertrag</h1>{body(FURNITURE[1:] + FURNITURE[:1])}</main><footer><p>Print | Permalink</p></footer>"),
        page(
            f"<div class='content'><h2>Le traité</h2>{body(FURNITURE[2:])}<div class='newsletter'><p>{FURNITURE[4]}</p></div></div>"
        ),
    ]


def _coverage(expected, text):
    flat = " ".join(text.split())
    return sum(len(paragraph) for paragraph in expected if paragraph in flat) / sum(len(p) for p in expected)


def test_citeline_keeps_at_least_as_much_main_text_as_trafilatura_and_no_furniture_is_citable():
    import trafilatura

    for html in _pages():
        parsed = parse(html)
        citable = " ".join(p.text for p in parsed.passages if p.role in (PassageRole.BODY, PassageRole.HEADING))
        theirs = trafilatura.extract(html, favor_recall=True) or ""
        assert _coverage(MAIN, citable) == 1.0
        assert _coverage(MAIN, citable) >= _coverage(MAIN, theirs)
        for line in FURNITURE:
            assert line not in citable, line


# --- PDF ----------------------------------------------------------------------------------------

TREATY_PDF = [
    ["The Treaty of Example", "", "Iran and Russia signed a comprehensive strategic partnership treaty in Moscow on",
     "17 January 2025 after years of talks between their foreign ministries."],
    ["The corridor would link Russian ports on the Caspian Sea with Bandar Abbas.", "", "12"],
]  # fmt: skip


def treaty_pdf():
    info = {"/Title": "Treaty report", "/Author": "Ada Lovelace; Charles Babbage", "/CreationDate": "D:2016"}
    return pdf_bytes(TREATY_PDF, info=info, first_label=11)


def test_pdf_passages_know_their_page_and_metadata_is_not_invented():
    parsed = parse(treaty_pdf(), name="treaty.pdf")
    by_text = {p.text: p for p in parsed.passages}
    body = next(p for p in parsed.passages if p.text.startswith("Iran and Russia"))
    assert body.page == "11" and "Moscow on 17 January 2025" in body.text
    assert by_text["The corridor would link Russian ports on the Caspian Sea with Bandar Abbas."].page == "12"
    assert by_text["12"].role == PassageRole.BOILERPLATE
    assert parsed.metadata == {"title": "Treaty report", "authors": ["Ada Lovelace", "Charles Babbage"], "issued": "2016"}


@pytest.mark.parametrize(
    ("raw", "reason", "fix"),
    [
        (lambda: encrypted(treaty_pdf()), "encrypted", "Remove the password"),
        (lambda: pdf_bytes([["scan"]], image_only=True), "no text layer", "Run OCR first"),
        (lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog", "damaged PDF", "save or print it again"),
    ],
    ids=["encrypted", "image only", "malformed"],
)
def test_bad_pdfs_are_refused_with_reason_and_fix(raw, reason, fix):
    with pytest.raises(ImportRefused) as excinfo:
        parse(raw(), name="scan.pdf")
    message = str(excinfo.value)
    assert message.startswith("scan.pdf: ") and reason in message and fix in message


@pytest.mark.django_db
def test_pdf_page_shows_in_citations_and_on_the_source_page(client):
    result = document_import(raw=treaty_pdf(), filename="treaty.pdf")
    source = result.source
    passage = source.passages.get(text__startswith="The corridor")
    assert passage.page == "12"
    assert citing.source_chicago(source, page=passage.page).endswith("2016, 12.")
    assert "(p. 12)" in citing.source_apa(source, page=passage.page)
    assert "pages = {12}" in citing.source_bibtex(source, page=passage.page)
    assert citing.source_csl_json(source, page=passage.page)["page"] == "12"
    html = client.get(source.get_absolute_url()).content.decode()
    assert '<p class="page-break" id="page-11"' in html and '<p class="page-break" id="page-12"' in html


# --- Names and slugs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"), [("گزارش", "gzrsh"), ("报告", "baogao"), ("Ärger im Büro", "arger-im-buro"), ("Report", "report")]
)
def test_slug_for_any_file_name(name, slug):
    assert slug_for(name) == slug


def test_slug_of_nothing_but_symbols_is_a_hash():
    assert slug_for("★★★").startswith("source-")


@pytest.mark.django_db
def test_same_file_name_in_two_folders_is_refused_naming_both(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(f"Report from {folder}\n\nThe text of the report.\n", encoding="utf-8")
    stderr, count = StringIO(), Source.objects.count()
    with pytest.raises(CommandError):
        call_command("import_sources", str(tmp_path / "a"), str(tmp_path / "b"), stdout=StringIO(), stderr=stderr)
    assert str(tmp_path / "a" / "report.txt") in stderr.getvalue() and str(tmp_path / "b" / "report.txt") in stderr.getvalue()
    assert Source.objects.count() == count


@pytest.mark.django_db
def test_non_latin_file_name_imports_without_a_manifest(tmp_path):
    path = tmp_path / "گزارش.txt"
    path.write_text("گزارش\n\nمتن گزارش درباره مذاکرات.\n", encoding="utf-8")
    call_command("import_sources", str(path), stdout=StringIO(), stderr=StringIO())
    assert Source.objects.filter(slug="gzrsh", original_filename="گزارش.txt").exists()


# --- Import by URL ------------------------------------------------------------------------------

ARTICLE_HTML = page(
    f"<article><h1>Tehran and Moscow sign a treaty</h1><p>Iran and Russia signed a treaty in Moscow on 17 January 2025, "
    f"{LONG}.</p><p>The treaty stops short of a mutual defence clause, {LONG}.</p></article>"
)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        routes = {
            "/article": (200, "text/html; charset=utf-8", ARTICLE_HTML.encode()),
            "/image": (200, "image/png", b"\x89PNG\r\n\x1a\n"),
            "/missing": (404, "text/html", b"gone"),
            "/big": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
        }
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", f"/loop{len(self.path)}")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(3)
        status, kind, body = routes.get(self.path, (200, "text/html", ARTICLE_HTML.encode()))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("CITELINE_FETCH_ALLOW_PRIVATE", "1")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run_import(*args):
    stdout, stderr = StringIO(), StringIO()
    call_command("import_sources", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue()


@pytest.mark.django_db
def test_url_import_follows_a_redirect_and_keeps_an_archived_copy(server, client):
    run_import(f"{server}/moved")
    source = Source.objects.get(url=f"{server}/article")
    assert source.url == f"{server}/article" and source.accessed is not None
    assert "17 January 2025" in source.text
    version = source.versions.get()
    with version.archive.open("rb") as handle:
        warc = gzip.decompress(handle.read())
    assert b"WARC-Type: response" in warc and b"WARC-Payload-Digest: sha256:" + version.archive_sha256.encode() in warc
    assert b"Content-Type: text/html; charset=utf-8" in warc and ARTICLE_HTML.encode() in warc
    html = client.get(source.get_absolute_url()).content.decode()
    assert version.get_archive_url() in html
    response = client.get(version.get_archive_url())
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert gzip.decompress(b"".join(response.streaming_content)) == warc


@pytest.mark.django_db
def test_reimporting_a_changed_url_makes_a_new_version(server, monkeypatch):
    run_import(f"{server}/article")
    monkeypatch.setattr("tests.sources.test_real_world.ARTICLE_HTML", ARTICLE_HTML.replace("17 January 2025", "18 January 2025"))
    Handler.do_GET.__globals__["ARTICLE_HTML"] = ARTICLE_HTML.replace("17 January 2025", "18 January 2025")
    try:
        run_import(f"{server}/article")
    finally:
        Handler.do_GET.__globals__["ARTICLE_HTML"] = ARTICLE_HTML
    assert Source.objects.get(url=f"{server}/article").versions.count() == 2


@pytest.mark.django_db
@override_settings(CITELINE_IMPORT_MAX_BYTES=1000, CITELINE_FETCH_TIMEOUT=1)
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big", "too large"),
        ("/image", "image/png, not a web page"),
        ("/missing", "404"),
        ("/loop", "more than 5 redirects"),
        ("/slow", "no complete answer within 1 seconds"),
    ],
)
def test_url_import_refusals(server, path, reason):
    stderr, count = StringIO(), Source.objects.count()
    with pytest.raises(CommandError):
        call_command("import_sources", f"{server}{path}", stdout=StringIO(), stderr=stderr)
    assert reason in stderr.getvalue()
    assert Source.objects.count() == count


@pytest.mark.django_db
def test_private_address_is_refused_by_default(server, monkeypatch):
    monkeypatch.delenv("CITELINE_FETCH_ALLOW_PRIVATE")
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command("import_sources", f"{server}/article", stdout=StringIO(), stderr=stderr)
    assert "private, loopback or link-local" in stderr.getvalue() and "CITELINE_FETCH_ALLOW_PRIVATE" in stderr.getvalue()


@pytest.mark.django_db
def test_only_http_and_https(tmp_path):
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command("import_sources", "https://", stdout=StringIO(), stderr=stderr)
    assert "only http:// and https://" in stderr.getvalue()


@pytest.mark.django_db
def test_admin_add_from_url(server, admin_client):
    response = admin_client.post("/admin/sources/source/add-from-url/", {"url": f"{server}/article"})
    assert response.status_code == 302
    assert Source.objects.get(url=f"{server}/article").versions.get().archive


def archived_files():
    """Every archived copy in the media storage (the test run's own MEDIA_ROOT)."""
    storage = SourceVersion._meta.get_field("archive").storage
    found, folders = [], ["archives"]
    while folders:
        folder = folders.pop()
        if not storage.exists(folder):
            continue
        subfolders, files = storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        found += [f"{folder}/{name}" for name in files]
    return set(found)


def failing_on_call(monkeypatch, number):
    """Make the import's last step (storing date mentions) fail on its `number`th call, after the archive was stored."""
    real, calls = importing.date_mentions_create, []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == number:
            raise ImportRefused("page.html: refused for the test.")
        return real(**kwargs)

    monkeypatch.setattr(importing, "date_mentions_create", failing)


@pytest.mark.django_db
def test_a_rolled_back_url_import_leaves_no_archived_copy(server, monkeypatch):
    """An import refused after the page was archived stores neither the source nor its WARC file."""
    before, count = archived_files(), Source.objects.count()
    failing_on_call(monkeypatch, 1)
    with pytest.raises(CommandError):
        run_import(f"{server}/article")
    assert Source.objects.count() == count and archived_files() == before


@pytest.mark.django_db
def test_a_batch_rolled_back_by_its_last_page_leaves_no_archived_copy(server, monkeypatch):
    """Two pages, the second refused while writing: the first page's archived copy goes with the rollback too."""
    before, count = archived_files(), Source.objects.count()
    failing_on_call(monkeypatch, 2)
    with pytest.raises(CommandError):
        run_import(f"{server}/article", f"{server}/other")
    assert Source.objects.count() == count and archived_files() == before


@pytest.mark.django_db
def test_a_rolled_back_admin_add_from_url_leaves_no_archived_copy(server, admin_client, monkeypatch):
    before, count = archived_files(), Source.objects.count()
    failing_on_call(monkeypatch, 1)
    response = admin_client.post("/admin/sources/source/add-from-url/", {"url": f"{server}/article"})
    assert response.status_code == 200 and "refused for the test" in response.content.decode()
    assert Source.objects.count() == count and archived_files() == before


@pytest.mark.django_db
def test_a_committed_url_import_keeps_its_archived_copy(server):
    before = archived_files()
    run_import(f"{server}/article")
    version = Source.objects.get(url=f"{server}/article").versions.get()
    assert archived_files() - before == {version.archive.name}


# --- Dates in more languages -------------------------------------------------------------------

DATE_TABLE = [
    # text, language, expected (text, edtf) pairs
    ("Am 24. Oktober 2005 begann der Prozess.", "de", [("24. Oktober 2005", "2005-10-24")]),
    ("Stand: 16.01.2023", "de", [("16.01.2023", "2023-01-16")]),
    ("Im Oktober 2005 war es kalt.", "de", [("Oktober 2005", "2005-10")]),
    ("le 16 janvier 2023 puis en octobre 2007", "fr", [("16 janvier 2023", "2023-01-16"), ("octobre 2007", "2007-10")]),
    ("le 1er mars 2020", "fr", [("1er mars 2020", "2020-03-01")]),
    ("el 16 de enero de 2023", "es", [("16 de enero de 2023", "2023-01-16")]),
    ("il 3 maggio 2021", "it", [("3 maggio 2021", "2021-05-03")]),
    ("em 5 de maio de 2020", "pt", [("5 de maio de 2020", "2020-05-05")]),
    ("16 января 2023 г.", "ru", [("16 января 2023 г.", "2023-01-16")]),
    ("16 يناير 2023", "ar", [("16 يناير 2023", "2023-01-16")]),
    ("on 01/16/2023", "en", [("01/16/2023", "2023-01-16")]),
    ("on 16/01/2023", "en", [("16/01/2023", "2023-01-16")]),
    ("on 02/03/2023", "en", [("02/03/2023", "2023-02-03?")]),  # ambiguous: flagged uncertain
    ("am 02/03/2023", "de", [("02/03/2023", "2023-03-02")]),
    ("on 2023-01-16", "en", [("2023-01-16", "2023-01-16")]),
    ("NJW 2002, 1700, 1701", "de", [("2002", "2002")]),
    ("It cost $1999.", "en", []),
    ("We met in Room 1984.", "en", []),
    ('We saw the film "1917" twice.', "en", []),
    ("Vgl. S. 1739–1752.", "de", []),
    ("Mars 2020 landed.", "en", [("2020", "2020")]),
]


@pytest.mark.parametrize(("text", "language", "expected"), DATE_TABLE, ids=[row[0] for row in DATE_TABLE])
def test_multilingual_date_table(text, language, expected):
    assert [(m.text, m.edtf) for m in mentions_extract(text, language=language)] == expected


def test_law_report_year_is_a_citation():
    (mention,) = mentions_extract("BGH, NJW 2002, 1700, 1701", language="de")
    assert mention.role == "citation"


def test_extract_dates_exits_non_zero_when_a_file_is_refused(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Signed on 17 January 2025.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    stdout = StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("extract_dates", str(good), str(bad), stdout=stdout, stderr=StringIO())
    assert "17 January 2025" in stdout.getvalue()


@pytest.mark.django_db
def test_passage_page_is_null_for_text_sources():
    result = document_import(raw=b"Title\n\nSome text of the document.\n", filename="plain.txt")
    assert set(Passage.objects.filter(source=result.source).values_list("page", flat=True)) == {None}
