"""
nginx in front of several local web processes, configured from docker-compose.yml's own nginx config,
and a private Redis for their shared cache. Used by tests/test_several_processes.py and by
bench/run.py's `--processes N`.

Docker is not available where the suite runs, so the compose file's server block is taken verbatim
(its `$$` un-doubled, as compose does) and only what Docker provides is replaced: the resolver and
the `web` upstream (Docker's DNS, nginx 1.27's `resolve`) become the local ports, and port 80 a free
one. A change to the shipped proxy settings is therefore tested as shipped.
"""

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"

# Where each request went: the test reads it to see requests of one session land on different processes.
ACCESS_LOG_FORMAT = "$request_method $request_uri $status $upstream_addr"


def compose_server_block():
    """The `server { … }` block of docker-compose.yml's nginx config, with compose's `$$` back to `$`."""
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    content = compose["configs"]["nginx_conf"]["content"]
    start = content.index("server {")
    depth, end = 0, None
    for index in range(start, len(content)):
        if content[index] == "{":
            depth += 1
        elif content[index] == "}":
            depth -= 1
            if depth == 0:
                end = index + 1
                break
    if end is None:
        raise ValueError(f"{COMPOSE_FILE}: the nginx server block is not closed; fix configs.nginx_conf.")
    block = content[start:end].replace("$$", "$")
    if len(re.findall(r"^\s*listen 80;", block, flags=re.MULTILINE)) != 1:
        raise ValueError(f"{COMPOSE_FILE}: expected one `listen 80;` in the nginx server block; update tests/proxy.py too.")
    return block


def nginx_config(*, backend_ports, listen_port, directory):
    """A whole nginx.conf: a foreground nginx with its files in `directory`, proxying to `backend_ports`."""
    directory = Path(directory)
    upstream = "\n".join(f"        server 127.0.0.1:{port};" for port in backend_ports)
    server = re.sub(r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{listen_port};", compose_server_block(), flags=re.MULTILINE)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # One worker process: strict round-robin, so that consecutive requests go to consecutive processes.
    return f"""daemon off;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    log_format upstreams '{ACCESS_LOG_FORMAT}';
    access_log {directory / "access.log"} upstreams;
{temp_paths}
    upstream citeline {{
{upstream}
    }}
    {server}
}}
"""


def nginx_executable():
    return shutil.which("nginx") or next((path for path in ("/usr/sbin/nginx",) if os.path.exists(path)), None)


def nginx_start(*, backend_ports, listen_port, directory):
    """nginx in the foreground (a child process) on 127.0.0.1:listen_port; its access log is `directory`/access.log."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # Run as root, nginx's workers drop to `nobody`, who must reach the temporary files under `directory`.
    os.chmod(directory, 0o755)
    config = directory / "nginx.conf"
    config.write_text(nginx_config(backend_ports=backend_ports, listen_port=listen_port, directory=directory))
    return subprocess.Popen(
        [nginx_executable(), "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def nginx_upstreams(directory):
    """(method, path, status, upstream address) of each request nginx proxied, in order."""
    path = Path(directory) / "access.log"
    return [tuple(line.split(" ", 3)) for line in path.read_text().splitlines() if line.strip()]


def redis_start(*, port, directory):
    """A private, memory-only Redis on 127.0.0.1:port; a redis:// URL for CACHE_URL."""
    import redis

    process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    client, deadline = redis.Redis(port=port, socket_timeout=2), time.monotonic() + 20
    while True:
        try:
            client.ping()
            return process, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise RuntimeError(
                    f"redis-server on port {port} did not start:\n{process.stdout.read().decode(errors='replace')}"
                )
            time.sleep(0.1)


def stop(process, timeout=20):
    """End a child process (SIGTERM, then SIGKILL) and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers(url):
    """Whether anything answers at `url` (any HTTP status)."""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
