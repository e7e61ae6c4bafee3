"""Tests for the download helper against a real HTTP server on 127.0.0.1 (no other network).

The server serves a small file generated in tmp_path; a custom handler counts requests and
can answer 404 or send half of a file and then close the connection.
"""

import hashlib
import http.server
import socket
import threading

import pytest

import rnn_helpers
import rnn_helpers.data


def _sha(data):
    return hashlib.sha256(data).hexdigest()


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 with a request log."""

    def __init__(self, served_file):
        self.served_file = served_file
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.served_file.read_bytes()
                if self.path == "/small.txt":
                    self._send(body, len(body))
                elif self.path == "/half.txt":
                    # announce the whole file, send half of it, then close the connection
                    self._send(body[: len(body) // 2], len(body))
                    self.close_connection = True
                else:
                    self.send_error(404, "Not Found")

            def _send(self, body, length):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def payload():
    """A small UTF-8 text (about 40 kB), made deterministically, unlike any real corpus."""
    lines = [f"line {i}: {'abcdéfg'[i % 7] * (i % 13)} {i * i % 97}\n" for i in range(2500)]
    return "".join(lines).encode("utf-8")


@pytest.fixture
def server(payload, tmp_path):
    served = tmp_path / "www" / "small.txt"
    served.parent.mkdir()
    served.write_bytes(payload)
    srv = _Server(served)
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that refuses connections (bound, never listening)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    try:
        yield s.getsockname()[1]
    finally:
        s.close()


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_success(server, payload, tmp_path):
    cache = tmp_path / "cache" / "sub"  # created on demand
    dest = cache / "small.txt"
    got = rnn_helpers.download(server.url("/small.txt"), dest, _sha(payload))
    assert got == dest
    assert dest.read_bytes() == payload
    assert _sha(dest.read_bytes()) == _sha(payload)
    assert _leftovers(cache) == ["small.txt"]  # no .part file left beside it
    assert server.requests == ["/small.txt"]


def test_second_call_reuses_the_cache_without_network(server, payload, tmp_path):
    dest = tmp_path / "cache" / "small.txt"
    rnn_helpers.download(server.url("/small.txt"), dest, _sha(payload))
    assert len(server.requests) == 1
    again = rnn_helpers.download(server.url("/small.txt"), dest, _sha(payload))
    assert again == dest
    assert len(server.requests) == 1  # the server was not contacted again
    assert dest.read_bytes() == payload


def test_cached_file_with_a_wrong_hash_is_replaced(server, payload, tmp_path):
    dest = tmp_path / "cache" / "small.txt"
    dest.parent.mkdir()
    dest.write_bytes(b"stale or damaged")
    rnn_helpers.download(server.url("/small.txt"), dest, _sha(payload))
    assert len(server.requests) == 1
    assert dest.read_bytes() == payload
    assert _leftovers(dest.parent) == ["small.txt"]


def test_hash_mismatch_keeps_nothing(server, payload, tmp_path):
    cache = tmp_path / "cache"
    dest = cache / "small.txt"
    with pytest.raises(ValueError, match="sha256"):
        rnn_helpers.download(server.url("/small.txt"), dest, _sha(b"something else"))
    assert len(server.requests) == 1
    assert not dest.exists()
    assert _leftovers(cache) == []  # no partial or temporary file either


def test_unreachable_server_is_a_connection_error(closed_port, tmp_path):
    cache = tmp_path / "cache"
    url = f"http://127.0.0.1:{closed_port}/small.txt"
    with pytest.raises(ConnectionError) as err:
        rnn_helpers.download(url, cache / "small.txt", _sha(b"x"), timeout=5)
    msg = str(err.value).lower()
    assert "offline" in msg and "could not download" in msg
    assert _leftovers(cache) == []


def test_404_is_a_connection_error(server, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(ConnectionError, match="could not download"):
        rnn_helpers.download(server.url("/missing.txt"), cache / "m.txt", _sha(b"x"))
    assert server.requests == ["/missing.txt"]
    assert _leftovers(cache) == []


def test_interrupted_transfer_leaves_no_partial_file(server, payload, tmp_path):
    cache = tmp_path / "cache"
    dest = cache / "small.txt"
    with pytest.raises((ConnectionError, ValueError)):
        rnn_helpers.download(server.url("/half.txt"), dest, _sha(payload), timeout=5)
    assert server.requests == ["/half.txt"]
    assert not dest.exists()
    assert _leftovers(cache) == []


def test_interrupted_transfer_is_reported_as_a_connection_problem(server, payload, tmp_path):
    with pytest.raises(ConnectionError, match="interrupt|incomplete|bytes"):
        rnn_helpers.download(server.url("/half.txt"), tmp_path / "s.txt", _sha(payload),
                             timeout=5)


def test_existing_file_kept_when_a_new_download_fails(server, payload, tmp_path):
    """A cached file with an unexpected hash is not destroyed by a failing download."""
    dest = tmp_path / "cache" / "small.txt"
    dest.parent.mkdir()
    dest.write_bytes(b"old version")
    with pytest.raises(ValueError):
        rnn_helpers.download(server.url("/small.txt"), dest, _sha(b"neither"))
    assert dest.read_bytes() == b"old version"
    assert _leftovers(dest.parent) == ["small.txt"]


# --- download_tinyshakespeare / load_corpus("tinyshakespeare") -----------------------


@pytest.fixture
def fake_spec(monkeypatch, server, payload):
    spec = {"url": server.url("/small.txt"), "size": len(payload), "sha256": _sha(payload),
            "filename": "tiny.txt"}
    monkeypatch.setattr(rnn_helpers.data, "TINYSHAKESPEARE", spec)
    return spec


def test_download_tinyshakespeare_from_a_mirror(fake_spec, server, payload, tmp_path):
    cache = tmp_path / "cache"
    path = rnn_helpers.download_tinyshakespeare(cache_dir=cache, url=server.url("/small.txt"))
    assert path == cache / "tiny.txt"
    assert path.read_bytes() == payload
    assert _leftovers(cache) == ["tiny.txt"]
    assert len(server.requests) == 1


def test_load_corpus_tinyshakespeare_downloads_once(fake_spec, server, payload, tmp_path):
    cache = tmp_path / "cache"
    text = rnn_helpers.load_corpus("tinyshakespeare", cache_dir=cache)
    assert text == payload.decode("utf-8")
    assert len(server.requests) == 1
    again = rnn_helpers.load_corpus("tinyshakespeare", cache_dir=cache)
    assert again == text
    assert len(server.requests) == 1  # served from the cache


def test_download_tinyshakespeare_rejects_a_wrong_mirror(fake_spec, server, tmp_path):
    """The pinned hash applies to mirrors too: a different file is refused."""
    cache = tmp_path / "cache"
    fake_spec["sha256"] = _sha(b"the real thing")
    with pytest.raises(ValueError):
        rnn_helpers.download_tinyshakespeare(cache_dir=cache, url=server.url("/small.txt"))
    assert _leftovers(cache) == []


def test_download_tinyshakespeare_offline(fake_spec, closed_port, tmp_path):
    url = f"http://127.0.0.1:{closed_port}/input.txt"
    with pytest.raises(ConnectionError, match="offline"):
        rnn_helpers.download_tinyshakespeare(cache_dir=tmp_path / "cache", url=url)
