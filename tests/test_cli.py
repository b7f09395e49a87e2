"""The CLI contract: help with examples, --json, exit codes, one-line errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main

COMMANDS = sorted(main.commands)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelines", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_contract_commands_exist() -> None:
    for name in ("demo", "crawl", "extract", "import", "search", "clusters", "report", "export", "stats"):
        assert name in main.commands


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "--quiet" in result.output or name == "extract" or "--db" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"newscorpus {name}" in readme


def test_missing_sources_file(tmp_path: Path) -> None:
    proc = cli("crawl", "--sources", str(tmp_path / "nope.toml"), "--db", str(tmp_path / "c.db"))
    line = assert_one_line_error(proc)
    assert "nope.toml" in line


def test_invalid_sources_file(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text("[[sources]]\nid = 'x'\nname = \n", encoding="utf-8")
    assert "sources.toml" in assert_one_line_error(cli("crawl", "--sources", str(bad), "--db", str(tmp_path / "c.db")))


def test_unreadable_db_path(tmp_path: Path) -> None:
    assert_one_line_error(cli("stats", "--db", str(tmp_path / "no" / "such" / "corpus.db")))
    assert_one_line_error(cli("stats", "--db", str(tmp_path)))  # a folder
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    assert_one_line_error(cli("stats", "--db", str(junk)))


def test_bad_date_option(tmp_path: Path) -> None:
    assert_one_line_error(cli("search", "바이오", "--since", "yesterday", "--db", str(tmp_path / "c.db")))


def test_import_reports_bad_lines_and_keeps_good_ones(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = {"url": "https://x.example.kr/1", "title": "시흥 배곧 축제",
            "body": "시흥시는 배곧에서 축제를 연다고 밝혔다."}
    src.write_text(json.dumps(good, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    db = tmp_path / "c.db"
    proc = cli("import", str(src), "--db", str(db))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{src}:2" in proc.stderr
    out = cli("stats", "--json", "--db", str(db))
    assert out.returncode == 0
    assert json.loads(out.stdout)["articles"] == 1
    search = cli("search", "축제", "--json", "--db", str(db))
    assert json.loads(search.stdout)["count"] == 1
    assert_one_line_error(cli("search", "NOT", "--db", str(db)))


def test_import_bad_lines_of_every_kind_never_lose_good_lines(tmp_path: Path) -> None:
    def good(n: int) -> str:
        return json.dumps({"url": f"https://x.example.kr/{n}", "title": f"배곧 소식 {n}",
                           "body": f"시흥시는 배곧에서 {n}번째 행사를 연다고 밝혔다."}, ensure_ascii=False)

    bad = [
        '{"url": "https://x.example.kr/z", "title": "", "body": "\\u200b"}',  # empty after normalization
        '{"url": "https://x.example.kr/s", "title": "t", "body": "b \\ud800 x"}',  # lone surrogate
        '{"url": "http://[::1/x", "title": "t", "body": "본문입니다."}',  # malformed host
        "[" * 100_000,  # nested too deeply
    ]
    dated = json.dumps({"url": "https://x.example.kr/d", "title": "날짜", "body": "오래된 날짜의 본문이다.",
                        "published": "0001-01-01T00:00:00+14:00"}, ensure_ascii=False)
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([good(1), *bad, dated, good(2)]) + "\n", encoding="utf-8")
    db = tmp_path / "c.db"
    proc = cli("import", str(src), "--db", str(db), "--json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["stored"] == 3  # two good lines and the one with an unusable date (stored without it)
    assert [b["line"] for b in summary["bad_lines"]] == [2, 3, 4, 5]
    assert [w["line"] for w in summary["warnings"]] == [6]


def test_import_of_a_missing_file_creates_no_database(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    assert "no such file" in assert_one_line_error(cli("import", str(tmp_path / "nope.jsonl"), "--db", str(db)))
    assert not db.exists()
