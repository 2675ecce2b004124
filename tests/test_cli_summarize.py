"""`newsbrief summarize`, `extract` and `methods`: output, exit codes and exact error text."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsbrief import summarizers
from newsbrief.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "article.html"
TITLE = "Wrenmouth Reopens Its Ferry Pier After a Two-Year Rebuild"
FIRST_SENTENCE = (
    "The ferry pier at Wrenmouth reopened on Monday after a two-year rebuild, restoring the short "
    "crossing to Skarra Island that its 1,400 residents depend on for work, school and hospital "
    "visits."
)
LINKS_ONLY = (
    "<html><body><ul>"
    + "".join(f'<li><a href="/story/{i}">Story {i} about the economy</a></li>' for i in range(40))
    + "</ul></body></html>"
)


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_summarize_example_page() -> None:
    code, out, err = run("summarize", str(EXAMPLE), "-m", "lead")
    assert (code, err) == (0, "")
    assert out.startswith(FIRST_SENTENCE)
    for phrase in (
        "No time to read",
        "Get a summary",
        "Previous Article",
        "Next Article",
        "bus timetable",
        "corner bakery",
        "Share this article",
    ):
        assert phrase not in out


def test_summarize_json_carries_metadata_sentences_and_timings() -> None:
    code, out, _ = run("summarize", str(EXAMPLE), "-m", "lead", "--format", "json", "-n", "2")
    data = json.loads(out)
    assert code == 0
    assert data["method"] == "lead"
    assert data["article"]["title"] == TITLE
    assert data["article"]["site"] == "The Example Ledger"
    assert data["article"]["language"] == "en"
    assert [s["index"] for s in data["sentences"]] == [0, 1]
    assert data["sentences"][0]["text"] == FIRST_SENTENCE
    assert set(data["timings"]) >= {"load_s", "prepare_s", "summarize_s"}


@pytest.mark.parametrize(
    ("fmt", "start"),
    [
        ("text", FIRST_SENTENCE[:40]),
        ("bullets", "• " + FIRST_SENTENCE[:40]),
        ("markdown", f"# {TITLE}\n\n- The ferry pier"),
    ],
)
def test_summarize_formats(fmt: str, start: str) -> None:
    code, out, _ = run("summarize", str(EXAMPLE), "-m", "lead", "-f", fmt)
    assert code == 0
    assert out.startswith(start)


def test_summarize_stdin_plain_text_in_french() -> None:
    text = (
        "Le conseil municipal a voté le budget mardi soir. "
        "Les élus ont débattu pendant des heures. "
        "Les écoles recevront davantage de crédits l'an prochain, selon le maire."
    )
    code, out, _ = run("summarize", "-", "-m", "lead", "-f", "json", "-n", "1", input=text.encode())
    data = json.loads(out)
    assert code == 0
    assert data["language"] == data["article"]["language"] == "fr"
    assert data["summary"] == "Le conseil municipal a voté le budget mardi soir."


def test_word_budget() -> None:
    code, out, _ = run("summarize", str(EXAMPLE), "-m", "lead", "--words", "40")
    assert code == 0
    assert out.startswith(FIRST_SENTENCE)
    assert len(out.split()) <= 40


@pytest.mark.parametrize("flag", ["-s", "-n", "--sentences"])
def test_sentences_flag_spellings(flag: str) -> None:
    """-s is the short flag in summarize, batch and evaluate; summarize's older -n still works."""
    code, out, _ = run("summarize", str(EXAMPLE), "-m", "lead", "-f", "json", flag, "2")
    assert code == 0
    assert len(json.loads(out)["sentences"]) == 2


def test_extract_text_and_json() -> None:
    code, out, _ = run("extract", str(EXAMPLE))
    assert code == 0
    assert out.startswith(f"{TITLE}\n\n{FIRST_SENTENCE}")
    code, out, _ = run("extract", str(EXAMPLE), "--format", "json")
    data = json.loads(out)
    assert data["author"] == "Clara Whitcombe"
    assert data["date"] == "2025-03-04"
    assert data["text"].startswith(FIRST_SENTENCE)


def test_methods_lists_every_registered_method() -> None:
    code, out, _ = run("methods")
    lines = out.splitlines()
    assert code == 0
    assert len(lines) == len(summarizers.available())
    default = summarizers.resolve("default")
    assert any(
        line.startswith("default") and line.endswith(f"alias of {default}") for line in lines
    )
    assert any(line.startswith(default) and "(default)" in line for line in lines)


# --- bad input: exact text and exit codes --------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        try:
            if self.path == "/slow":
                time.sleep(2)
            if self.path == "/stacked":
                # ~100 bytes that two layers of gzip would make 100 MB: refused unread.
                body = gzip.compress(gzip.compress(b"\0" * 100_000_000))
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Encoding", "gzip, gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == "/drip":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
                for i in range(30):
                    time.sleep(0.1)
                    self.wfile.write(b"X-Drip-%d: x\r\n" % i)
                return
            body, kind = (
                (b"%PDF-1.4", "application/pdf")
                if self.path == "/pdf"
                else (b"<p>x</p>", "text/html")
            )
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\t\n  ")
    (tmp_path / "binary.html").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    )
    (tmp_path / "notext.html").write_text("<html><body><div><img src='a.png'></div></body></html>")
    (tmp_path / "links.html").write_text(LINKS_ONLY)
    return tmp_path


BAD_FILES = [
    pytest.param(["empty.html"], "the input is empty", id="empty"),
    pytest.param(["blank.txt"], "the input is only whitespace", id="whitespace"),
    pytest.param(
        ["binary.html"],
        "the input is binary (it contains NUL bytes); give an HTML page or a text file",
        id="binary",
    ),
    pytest.param(
        ["notext.html"],
        "{dir}/notext.html: no article text found (main text is 0 characters, "
        "below the minimum 200)",
        id="no-article-text",
    ),
    pytest.param(
        ["links.html"],
        "{dir}/links.html: no article text found (main text is 0 characters, "
        "below the minimum 200)",
        id="links-only",
    ),
    pytest.param(
        ["links.html", "--max-bytes", "1000"],
        "{dir}/links.html is {size} bytes, over the limit of 1,000 bytes; "
        "raise it with --max-bytes (max_bytes= in Python)",
        id="too-large",
    ),
    pytest.param(
        ["missing.html"],
        "{dir}/missing.html: no such file (give a file, a http(s):// URL, or - for stdin)",
        id="missing-file",
    ),
    pytest.param(
        ["empty.html", "--method", "nope"],
        "Unknown summarizer 'nope'. Available: {methods}",
        id="unknown-method",
    ),
    pytest.param(
        ["empty.html", "--sentences", "2", "--words", "50"],
        "give only one of sentences, words or ratio (got sentences, words)",
        id="contradictory-length",
    ),
    pytest.param(
        ["empty.html", "--sentences", "0"],
        "sentences must be from 1 to 100 (got 0)",
        id="zero-sentences",
    ),
    pytest.param(
        ["empty.html", "-m", "lead", "-c", "foo=bar"],
        "unknown setting(s) for the 'lead' summarizer: foo (it takes none)",
        id="setting-the-method-does-not-take",
    ),
    pytest.param(
        ["empty.html", "--sentences", "1000"],
        "sentences must be from 1 to 100 (got 1000)",
        id="too-many-sentences",
    ),
    pytest.param(
        ["empty.html", "--words", "6000"],
        "words must be from 1 to 5000 (got 6000)",
        id="too-many-words",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_FILES)
def test_bad_input(files: Path, args: list[str], message: str) -> None:
    args = [str(files / args[0]), *args[1:]]
    expected = message.format(
        dir=files,
        size=f"{len(LINKS_ONLY):,}",
        methods=", ".join(summarizers.available()),
    )
    code, out, err = run("summarize", *args)
    assert (code, out, err) == (1, "", f"newsbrief: error: {expected}\n")


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        pytest.param(b"", "the input is empty", id="empty"),
        pytest.param(b" \n ", "the input is only whitespace", id="whitespace"),
        pytest.param(
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff",
            "the input is binary (it contains NUL bytes); give an HTML page or a text file",
            id="binary",
        ),
        pytest.param(
            b"\x01\x02\x03\x04\x05\x06\x07\x08" * 50,
            "the input is binary (it is mostly control characters); "
            "give an HTML page or a text file",
            id="control-characters",
        ),
        pytest.param(
            bytes(range(0x80, 0x100)),
            "the input is not text in any known encoding; give an HTML page or a text file",
            id="no-encoding",
        ),
    ],
)
def test_bad_stdin(stdin: bytes, message: str) -> None:
    assert run("summarize", "-", input=stdin) == (1, "", f"newsbrief: error: {message}\n")


def test_stdin_too_large() -> None:
    code, _, err = run("summarize", "-", "--max-bytes", "100", input=b"word " * 100)
    assert code == 1
    assert err == (
        "newsbrief: error: standard input is over the limit of 100 bytes; "
        "raise it with --max-bytes (max_bytes= in Python)\n"
    )


def test_unreachable_url() -> None:
    port = closed_port()
    code, _, err = run("summarize", f"http://127.0.0.1:{port}/story")
    assert code == 1
    assert err == (
        f"newsbrief: error: http://127.0.0.1:{port}/story: cannot connect to 127.0.0.1:{port} "
        "(connection refused)\n"
    )


def test_timeout(server: str) -> None:
    code, _, err = run("summarize", f"{server}/slow", "--timeout", "0.3")
    assert code == 1
    assert err == (
        f"newsbrief: error: {server}/slow: no answer within 0.3 seconds; "
        "raise the limit with --timeout\n"
    )


def test_whole_fetch_deadline(server: str) -> None:
    # Each header line comes within the 0.3 s step timeout; all 30 would take 3 s.
    code, _, err = run("summarize", f"{server}/drip", "--timeout", "0.3")
    assert code == 1
    assert err == (
        f"newsbrief: error: {server}/drip: the fetch took over 1.2 seconds in all, the limit; "
        "raise it with --timeout (the whole fetch may take 4x that; total_timeout= in Python)\n"
    )


def test_stacked_content_codings(server: str) -> None:
    code, _, err = run("summarize", f"{server}/stacked")
    assert code == 1
    assert err == (
        f"newsbrief: error: {server}/stacked: the server sent the page in stacked content "
        "codings (gzip, gzip); newsbrief decodes one at most\n"
    )


def test_non_html_content_type(server: str) -> None:
    code, _, err = run("extract", f"{server}/pdf")
    assert code == 1
    assert err == (
        f"newsbrief: error: {server}/pdf: the content type is application/pdf, "
        "not an HTML page or text\n"
    )


def test_unknown_format_is_a_usage_error() -> None:
    code, _, err = run("summarize", str(EXAMPLE), "--format", "pdf")
    assert code == 2
    assert "Invalid value for '--format' / '-f': 'pdf' is not one of" in err


def test_console_script_in_a_real_process() -> None:
    exe = shutil.which("newsbrief")
    command = [exe] if exe else [sys.executable, "-c", "from newsbrief.cli import main; main()"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run(
        [*command, "summarize", str(EXAMPLE), "-m", "lead", "-n", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, FIRST_SENTENCE + "\n", "")
    bad = subprocess.run(
        [*command, "summarize", "-"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert (bad.returncode, bad.stdout, bad.stderr) == (
        1,
        "",
        "newsbrief: error: the input is empty\n",
    )


# --- gzip-compressed pages, recognised by gzip's magic number --------------------------------


@pytest.mark.parametrize("command", ["summarize", "extract"])
@pytest.mark.parametrize(
    "name", ["page.html.gz", "page.html", "-"], ids=["gz", "no-gz-name", "stdin"]
)
def test_gzipped_page_is_read(tmp_path: Path, command: str, name: str) -> None:
    """A gzipped page is decompressed (by content, whatever its name), not refused as binary."""
    import gzip

    data = gzip.compress(EXAMPLE.read_bytes())
    plain = run(command, str(EXAMPLE), *(["-m", "lead"] if command == "summarize" else []))
    if name == "-":
        got = run(command, "-", *(["-m", "lead"] if command == "summarize" else []), input=data)
    else:
        (tmp_path / name).write_bytes(data)
        extra = ["-m", "lead"] if command == "summarize" else []
        got = run(command, str(tmp_path / name), *extra)
    assert got == plain
    assert got[0] == 0


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        pytest.param(
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\xff\xff\xff\xff",  # a bad block
            [],
            "{path}: corrupt gzip data (Error -3 while decompressing data: invalid block type)",
            id="corrupt",
        ),
        pytest.param(
            "gzip:cut",
            [],
            "{path}: corrupt gzip data (the stream is cut short)",
            id="cut-short",
        ),
        pytest.param(
            "gzip:bomb",
            ["--max-bytes", "100000"],
            "{path} is over the limit of 100,000 bytes once decompressed (gzip); "
            "raise it with --max-bytes (max_bytes= in Python)",
            id="bomb",
        ),
    ],
)
def test_bad_gzip_is_refused(
    tmp_path: Path, data: bytes | str, args: list[str], message: str
) -> None:
    import gzip

    if data == "gzip:cut":
        data = gzip.compress(EXAMPLE.read_bytes())[:-40]
    elif data == "gzip:bomb":
        data = gzip.compress(b"<p>" + b"a" * 5_000_000 + b"</p>")  # ~5 KB on disk
    assert isinstance(data, bytes)
    path = tmp_path / "page.html.gz"
    path.write_bytes(data)
    code, out, err = run("summarize", str(path), *args)
    assert (code, out) == (1, "")
    assert err == f"newsbrief: error: {message.format(path=path)}\n"


@pytest.mark.parametrize("method", ["lead", "default", "centrality"])
def test_headline_of_an_extractive_method_is_one_short_line(method: str) -> None:
    """-f headline was a three-sentence paragraph: it is the one-sentence summary, cut short."""
    code, out, err = run("summarize", str(EXAMPLE), "-m", method, "-f", "headline")
    assert (code, err) == (0, "")
    line = out.rstrip("\n")
    assert "\n" not in line
    assert 0 < len(line.split()) <= 21  # 20 words, and "…" glued to the last one
    _, as_json, _ = run("summarize", str(EXAMPLE), "-m", method, "-f", "json", "-n", "1")
    first = json.loads(as_json)["summary"]
    assert line == first or (line.endswith("…") and first.startswith(line[:-1]))


def test_every_option_has_help_and_language_is_a_code() -> None:
    """--help explains every option; -l reads CODE in every command (it read TEXT in some)."""
    import click

    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            assert param.help, f"newsbrief {name} {'/'.join(param.opts)} has no help text"
            if "--language" in param.opts:
                assert param.metavar == "CODE", f"newsbrief {name} --language"
