"""Small PDFs written byte by byte for the tests: text on pages, no text layer, encrypted, damaged."""

import io


def _escape(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages, *, info=None, first_label=None, image_only=False):
    """
    A PDF of `pages` (each a list of lines, set in Helvetica 11 pt), with an information dictionary
    `info` ({"/Title": "…"}) and page labels starting at `first_label` (an int) when given.
    """
    objects = []  # bodies, numbered from 1

    def add(body):
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    pages_id = len(objects) + 1 + 2 * len(pages)  # after every page and its content stream
    page_ids = []
    for lines in pages:
        if image_only:
            stream = b"0.5 g 72 72 400 600 re f"  # a grey rectangle: marks on the page, no text
        else:
            commands = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
            for line in lines:
                commands.append(f"({_escape(line)}) Tj T*")
            commands.append("ET")
            stream = "\n".join(commands).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_id, font, content)
            )
        )
    kids = b" ".join(b"%d 0 R" % page for page in page_ids)
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))) == pages_id
    labels = b" /PageLabels << /Nums [0 << /S /D /St %d >>] >>" % first_label if first_label else b""
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages_id, labels))
    info_id = None
    if info:
        entries = b" ".join(b"%s (%s)" % (key.encode(), _escape(value).encode("latin-1")) for key, value in info.items())
        info_id = add(b"<< " + entries + b" >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info_id:
        trailer += b" /Info %d 0 R" % info_id
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def encrypted(raw, password="secret"):
    """The same PDF with a user password (RC4, which pypdf writes without optional packages)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
