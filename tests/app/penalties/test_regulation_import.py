"""`flask import regulation` stores a text's articles; bad files are refused with exit code 2."""

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, RegulationArticle
from app.penalties.regulations import article_text
from tests.regulation_texts import regulations_dir


@pytest.mark.parametrize(
    "name, code, article, words",
    [
        ("liaoning-2014.md", "liaoning", 33, "责令"),
        ("qinhuangdao-2017.txt", "qinhuangdao", 23, "一千元以上一万元以下"),
        ("shanxi-2012-plain.txt", "shanxi", 24, "罚款"),
        ("inner-mongolia-2007.txt", "inner-mongolia", 15, "自治区公安机关备案"),
    ],
)
def test_import_regulation_stores_articles(runner, db, name, code, article, words):
    result = runner.invoke(args=["import", "regulation", str(regulations_dir() / name), "--jurisdiction", code])
    assert result.exit_code == 0, result.output
    assert "已导入" in result.output
    stored = article_text(code, article)
    assert stored is not None and words in stored.text
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "import_regulation")) == 1


def test_reimport_replaces_rather_than_doubles(runner, db):
    path = str(regulations_dir() / "liaoning-2014.md")
    runner.invoke(args=["import", "regulation", path, "--jurisdiction", "liaoning"])
    first = db.session.scalar(select(func.count(RegulationArticle.id)))
    runner.invoke(args=["import", "regulation", path, "--jurisdiction", "liaoning"])
    assert db.session.scalar(select(func.count(RegulationArticle.id))) == first


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n binary", "没有任何条文的一段话。".encode(), b"\xff\xfe\x00bad"])
def test_unusable_file_is_refused_with_exit_code_2(runner, tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = runner.invoke(args=["import", "regulation", str(path), "--jurisdiction", "liaoning"])
    assert result.exit_code == 2
    assert "导入失败" in result.output
    assert "Traceback" not in result.output
