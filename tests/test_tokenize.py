"""The Tokenizer's Kiwi options and user dictionaries are in effect (chosen in benchmarks/kiwi_options.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.tokenize import Tokenizer
from scraper.errors import ConfigError


def _morphs(tokenizer: Tokenizer, text: str) -> list[str]:
    return [f"{t.form}/{t.tag}" for t in tokenizer.tokenize_many([text])[0].tokens]


def test_bundled_dictionary_keeps_regional_names_whole(tokenizer: Tokenizer) -> None:
    morphs = _morphs(tokenizer, "배곧신도시와 송도국제도시에 바이오특화단지를 만든다.")
    # Kiwi alone splits 배곧신도시 into 배/곧/신/도시 and 특화단지 into 특화/단지
    assert "배곧신도시/NNP" in morphs
    assert "송도국제도시/NNP" in morphs
    assert "특화단지/NNG" in morphs and "단지/NNG" not in morphs


def test_spaced_and_unspaced_terms_share_their_morphemes(tokenizer: Tokenizer) -> None:
    """A search for 바이오 특화단지 finds 바이오특화단지: both give 바이오 + 특화단지."""
    spaced = [m for m in _morphs(tokenizer, "바이오 특화단지") if m.endswith("/NNG")]
    joined = [m for m in _morphs(tokenizer, "바이오특화단지") if m.endswith("/NNG")]
    assert spaced == joined == ["바이오/NNG", "특화단지/NNG"]


def test_no_typo_correction_on_edited_copy(tokenizer: Tokenizer) -> None:
    """typos=None: a misspelt verb stays as written (correction was slower and mostly miscorrected)."""
    forms = [m.split("/")[0] for m in _morphs(tokenizer, "어려움이 잇다")]
    assert "잇" in forms and "있" not in forms  # typos='basic' reads 있/VV here


def test_compound_nouns_are_not_split(tokenizer: Tokenizer) -> None:
    """split_complex=False: 고마움 stays one noun (True would give 고맙/VA-I 음/ETN)."""
    assert "고마움/NNG" in _morphs(tokenizer, "고마움을 전했다.")


def test_missing_spaces_need_no_spacing_pass(tokenizer: Tokenizer) -> None:
    """Kiwi segments unspaced text itself (Kiwi.space() would move the offsets we store)."""
    morphs = _morphs(tokenizer, "인천경제자유구역청은송도국제도시에바이오특화단지를조성한다고밝혔다.")
    assert {"인천경제자유구역청/NNP", "송도국제도시/NNP", "특화단지/NNG", "조성/NNG"} <= set(morphs)


def test_spaces_inside_a_word_are_kept(tokenizer: Tokenizer) -> None:
    """space_tolerance=0: written spaces are word boundaries (2 would glue "바이 오" into 바이오)."""
    forms = [m.split("/")[0] for m in _morphs(tokenizer, "바이 오 기업들이 공동 연구에 들어갔다.")]
    assert "바이오" not in forms and "바이" in forms


@pytest.fixture(scope="module")
def own_dict_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Tokenizer:
    path = tmp_path_factory.mktemp("dict") / "words.tsv"
    path.write_text("# our words\n\n바다숲연구센터\tNNP\n미래먹거리단지\tNNG\t1.5\n", encoding="utf-8")
    return Tokenizer(path, num_workers=0)


def test_user_dict_file_adds_words(own_dict_tokenizer: Tokenizer, tokenizer: Tokenizer) -> None:
    text = "바다숲연구센터가 미래먹거리단지에 연구소를 열었다."
    assert "숲/NNG" in _morphs(tokenizer, text) and "먹거리/NNG" in _morphs(tokenizer, text)  # split without
    morphs = _morphs(own_dict_tokenizer, text)
    assert "바다숲연구센터/NNP" in morphs and "미래먹거리단지/NNG" in morphs
    assert "특화단지/NNG" in _morphs(own_dict_tokenizer, "특화단지")  # the bundled dictionary is still loaded


def test_without_threads_batched_call_matches_threaded(own_dict_tokenizer: Tokenizer, tokenizer: Tokenizer) -> None:
    texts = ["인천시는 12일 설명회를 열었다.", "시흥시 관계자는 지원을 늘리겠다고 말했다."]
    assert own_dict_tokenizer.workers == 0
    assert own_dict_tokenizer.tokenize_many(texts) == tokenizer.tokenize_many(texts)


@pytest.mark.parametrize("content", ["단어\tNOTATAG\n", "단어\tNNP\tnot-a-number\n"])
def test_bad_user_dict_line_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.tsv:1: bad user dictionary line"):
        Tokenizer(path, num_workers=0)


def test_missing_user_dict_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read user dictionary"):
        Tokenizer(tmp_path / "absent.tsv", num_workers=0)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelines", *args], capture_output=True, text=True, timeout=300)


def test_import_user_dict_option_reaches_the_stored_tokens(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"url": "https://x.example.kr/1", "title": "미래먹거리단지 착공",
                               "body": "시흥시는 미래먹거리단지 조성 공사를 시작했다고 밝혔다."},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    words = tmp_path / "words.tsv"
    words.write_text("미래먹거리단지\tNNP\n", encoding="utf-8")
    db = tmp_path / "c.db"
    proc = _cli("import", str(src), "--db", str(db), "--quiet", "--workers", "0", "--user-dict", str(words))
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        morphemes, nouns = conn.execute("SELECT morphemes, nouns FROM tokens").fetchone()
    assert morphemes.count("미래먹거리단지/NNP") == 2 and "먹거리" not in nouns.split()

    words.write_text("미래먹거리단지\tNOTATAG\n", encoding="utf-8")
    bad = _cli("import", str(src), "--db", str(tmp_path / "d.db"), "--quiet", "--user-dict", str(words))
    lines = [ln for ln in bad.stderr.splitlines() if ln.strip()]
    assert bad.returncode == 2 and len(lines) == 1 and "bad user dictionary line" in lines[0], bad.stderr
