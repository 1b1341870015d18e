"""
Import by URL: fetch a page with limits (http/https only, public addresses only, a timeout, a size
limit, a few redirects), keep what the server sent as an archived copy (a gzipped WARC response
record with the headers, the fetch time and the SHA-256 of the body), and import from those bytes.

No database here: sources.importing stores the copy on the new SourceVersion.
"""

import hashlib
import http.client
import io
import ipaddress
import os
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from anyascii import anyascii
from django.core.files.base import ContentFile
from django.utils.text import slugify

from sources.ingest import ImportRefused
from sources.storage import stored_file_record

# What a page, a PDF or a text file may be served as; anything else (images, archives, video) is refused.
ACCEPTED_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
}
USER_AGENT = "Citeline/1.0 (archiving a cited source)"
REDIRECTS = {301, 302, 303, 307, 308}


def private_allowed():
    """Fetching from private, loopback and link-local addresses is for tests and intranets: CITELINE_FETCH_ALLOW_PRIVATE=1."""
    return os.environ.get("CITELINE_FETCH_ALLOW_PRIVATE", "") == "1"


@dataclass
class Fetched:
    """What a fetch brought back, and its archived copy."""

    url: str  # after redirects
    requested_url: str
    status: int
    reason: str
    headers: list  # [(name, value)] as the server sent them
    body: bytes
    fetched_at: datetime
    redirects: list = field(default_factory=list)

    @property
    def content_type(self):
        value = next((v for k, v in self.headers if k.lower() == "content-type"), "")
        return value.split(";")[0].strip().lower()

    @property
    def charset(self):
        value = next((v for k, v in self.headers if k.lower() == "content-type"), "")
        for part in value.split(";")[1:]:
            name, _, charset = part.partition("=")
            if name.strip().lower() == "charset":
                return charset.strip().strip("\"'") or None
        return None

    @property
    def sha256(self):
        return hashlib.sha256(self.body).hexdigest()

    @property
    def filename(self):
        """A file name for the page: the last part of its path, with the suffix its content type calls for."""
        parts = urlsplit(self.url)
        name = unquote(PurePosixPath(parts.path).name) or parts.hostname or "page"
        suffix = ACCEPTED_TYPES.get(self.content_type, ".html")
        return name if name.lower().endswith(suffix) else name + suffix

    @property
    def slug(self):
        """The host and path, transliterated: "example-org-news-2023-story"."""
        parts = urlsplit(self.url)
        host = (parts.hostname or "").removeprefix("www.")
        path = PurePosixPath(unquote(parts.path))
        stem = str(path.with_suffix("")) if path.suffix in (".html", ".htm", ".php", ".aspx", ".pdf", ".txt") else str(path)
        slug = slugify(anyascii(f"{host} {stem} {parts.query}"))
        if len(slug) > 120:
            slug = slug[:107].strip("-") + "-" + hashlib.sha256(self.url.encode()).hexdigest()[:12]
        return slug or "page-" + hashlib.sha256(self.url.encode()).hexdigest()[:12]

    def warc(self):
        """The archived copy: a gzipped WARC file of a warcinfo record and the response record, bytes and headers as received."""
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
        date = self.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        info = writer.create_warcinfo_record(
            self.filename + ".warc.gz",
            {"software": "Citeline (warcio)", "format": "WARC File Format 1.1", "requested-url": self.requested_url,
             "redirects": " ".join(self.redirects) or "none"},
        )  # fmt: skip
        writer.write_record(info)
        http_headers = StatusAndHeaders(f"{self.status} {self.reason}", self.headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            self.url,
            "response",
            payload=io.BytesIO(self.body),
            length=len(self.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": f"sha256:{self.sha256}"},
        )
        writer.write_record(record)
        return buffer.getvalue()

    def version_fill(self, version):
        """Attach the archived copy to a new SourceVersion (written through the default storage, shared by every web process)."""
        stamp = self.fetched_at.strftime("%Y%m%dT%H%M%SZ")
        version.archive.save(f"{version.source.slug}-v{version.number}-{stamp}.warc.gz", ContentFile(self.warc()), save=False)
        # Stored before the import commits: removed again if it is rolled back (sources.storage).
        stored_file_record(version.archive.storage, version.archive.name)
        version.archive_sha256 = self.sha256
        version.fetched_url = self.url[:1000]
        version.fetched_at = self.fetched_at


def _address_check(url, host, port):
    """The addresses `host` resolves to, refused if any is private, loopback, link-local or otherwise not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ImportRefused(f"{url}: the host {host} cannot be found ({exc.strerror}). Check the address.") from None
    addresses = [info[4][0] for info in infos]
    if not private_allowed():
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise ImportRefused(
                    f"{url}: {host} is a private, loopback or link-local address ({ip}); Citeline fetches public pages only. "
                    "Save the page and import the file, or set CITELINE_FETCH_ALLOW_PRIVATE=1 on an intranet."
                )
    return addresses[0]


class _Connection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to a moment later."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _SecureConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def url_fetch(url, *, max_bytes, timeout=20.0, max_redirects=5):
    """Fetch `url` within the limits, following redirects; ImportRefused names the problem and the fix."""
    requested, redirects = url, []
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImportRefused(f"{url}: only http:// and https:// addresses can be imported. Check the address.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _address_check(url, parts.hostname, port)
        kind = _SecureConnection if parts.scheme == "https" else _Connection
        connection = kind(parts.hostname, port, address, timeout=max(0.1, deadline - time.monotonic()))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.1",
                    "Accept-Encoding": "identity",
                },
            )
            response = connection.getresponse()
            if response.status in REDIRECTS and response.getheader("Location"):
                redirects.append(url)
                url = urljoin(url, response.getheader("Location"))
                connection.close()
                continue
            if response.status >= 400 or response.status < 200:
                raise ImportRefused(
                    f"{url}: the server answered {response.status} {response.reason}. Check the address, or save the page and import the file."
                )
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type and content_type not in ACCEPTED_TYPES:
                raise ImportRefused(
                    f"{url}: the server sends {content_type}, not a web page, PDF or text. Import the page that links to it, or "
                    "download and convert the file."
                )
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ImportRefused(_too_large(url, int(length), max_bytes))
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise ImportRefused(_too_large(url, size, max_bytes, more=True))
                chunks.append(chunk)
            return Fetched(
                url=url, requested_url=requested, status=response.status, reason=response.reason,
                headers=list(response.getheaders()), body=b"".join(chunks), fetched_at=datetime.now(UTC).replace(microsecond=0),
                redirects=redirects,
            )  # fmt: skip
        except (TimeoutError, socket.timeout):
            raise ImportRefused(
                f"{url}: no complete answer within {timeout:g} seconds. Try again later, or raise CITELINE_FETCH_TIMEOUT."
            ) from None
        except ssl.SSLError as exc:
            raise ImportRefused(f"{url}: the secure connection failed ({exc.reason or exc}). Check the address.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise ImportRefused(
                f"{url}: the page could not be fetched ({exc or type(exc).__name__}). Check the address."
            ) from None
        finally:
            connection.close()
    raise ImportRefused(
        f"{requested}: more than {max_redirects} redirects. Import the final address directly, or raise CITELINE_FETCH_MAX_REDIRECTS."
    )


def _too_large(url, size, max_bytes, more=False):
    return (
        f"{url}: too large ({'more than ' if more else ''}{size:,} bytes; the limit is {max_bytes:,}). "
        "Raise CITELINE_IMPORT_MAX_BYTES, or save the part you cite and import that."
    )
