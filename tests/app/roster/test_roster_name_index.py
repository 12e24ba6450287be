"""The firm-name bigram index: kept on every ORM write, rebuilt by `flask roster reindex`."""

from sqlalchemy import func, select, text

from app.models import FirmNameGram
from app.services.name_index import name_grams
from tests.support import everything_in, get_page, page_text, parse


def _found(client, name: str):
    """The roster page's search for ``name``, parsed, and the firm names of its rows in order."""
    page = get_page(client, "roster.index", name=name)
    return page, [page_text(a) for a in page.select("table.roster tbody tr > td:first-child > a[href]")]


def test_grams_are_normalised_pieces_of_two_without_legal_form_words():
    assert name_grams("沈阳 安防") == {"沈阳", "阳安", "安防"}
    assert name_grams("ＡＢｃ") == {"ab", "bc"}
    assert name_grams("甲") == {"甲"}
    assert name_grams("安防有限公司") == {"安防", "防有"}


def test_a_query_of_legal_form_words_only_still_finds_by_like(client, factory):
    factory.firm("沈阳安防科技有限公司", filing_number="N-0001", filing_status="in_force")
    assert _found(client, "有限公司")[1] == ["沈阳安防科技有限公司"]


def test_index_follows_name_changes(db, factory):
    firm = factory.firm("沈阳安防科技有限公司")
    grams = set(db.session.scalars(select(FirmNameGram.gram).where(FirmNameGram.firm_id == firm.id)))
    assert grams == name_grams("沈阳安防科技有限公司")
    firm.name = "大连视频监控工程公司"
    db.session.commit()
    grams = set(db.session.scalars(select(FirmNameGram.gram).where(FirmNameGram.firm_id == firm.id)))
    assert "大连" in grams and "沈阳" not in grams


def test_roster_name_search_uses_the_index(client, db, factory):
    factory.firm("沈阳安防科技有限公司", filing_number="N-0001", filing_status="in_force")
    factory.firm("大连监控工程有限公司", filing_number="N-0002", filing_status="in_force")
    page, names = _found(client, "安防科技")
    assert names == ["沈阳安防科技有限公司"] and "大连监控工程有限公司" not in everything_in(page)
    # the order of the pieces still matters: 科技安防 is not in the name
    page, names = _found(client, "科技安防")
    assert names == [] and "沈阳安防科技有限公司" not in everything_in(page)


def test_reindex_rebuilds_after_writes_behind_the_apps_back(db, factory, runner):
    firm = factory.firm("沈阳安防科技有限公司")
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM firm_name_gram"))
        conn.execute(text("UPDATE firm SET name = '锦州报警运营公司' WHERE id = :id"), {"id": firm.id})
    result = runner.invoke(args=["roster", "reindex"])
    assert result.exit_code == 0 and "已重建 1 家" in result.output
    grams = set(db.session.scalars(select(FirmNameGram.gram)))
    assert grams == name_grams("锦州报警运营公司")
    assert db.session.scalar(select(func.count()).select_from(FirmNameGram)) == len(grams)


def test_a_deleted_firm_takes_its_pieces_with_it(db, factory):
    """The index has no foreign key to cascade; the flush hook removes the pieces itself."""
    firm = factory.firm("沈阳安防科技有限公司")
    kept = factory.firm("大连安防工程有限公司")
    firm_id = firm.id
    db.session.delete(firm)
    db.session.commit()
    assert db.session.scalars(select(FirmNameGram.gram).where(FirmNameGram.firm_id == firm_id)).all() == []
    assert set(db.session.scalars(select(FirmNameGram.gram).where(FirmNameGram.firm_id == kept.id))) \
        == name_grams("大连安防工程有限公司")


def test_a_stale_piece_never_shows_the_wrong_firm(client, db, factory):
    """Pieces left behind by a write that bypassed the app (say, a firm deleted by hand whose id was
    reused) may point at another firm; the name itself is still checked, so the search stays right."""
    factory.firm("大连监控工程有限公司", filing_number="N-0002", filing_status="in_force")
    other = factory.firm("锦州报警运营有限公司", filing_number="N-0003", filing_status="in_force")
    with db.engine.begin() as conn:
        for gram in name_grams("沈阳安防"):
            conn.execute(text("INSERT INTO firm_name_gram (gram, firm_id) VALUES (:g, :f)"), {"g": gram, "f": other.id})
    page, names = _found(client, "沈阳安防")
    assert names == [] and "锦州报警运营有限公司" not in everything_in(page)


def test_a_search_finds_the_same_firms_whether_its_pieces_are_common_or_rare(client, factory, monkeypatch):
    """roster_name_filter plans by how common each piece is (a rare piece's firms first, or the roster in
    its own order when every piece is common): the page a user sees is the same either way, pages too."""
    from app.roster import search
    from app.services import name_index

    for n in range(1, 8):
        factory.firm(f"沈阳安防科技第{n}有限公司", filing_number=f"N-{n:04d}", filing_status="in_force")
    factory.firm("大连监控工程有限公司", filing_number="N-0100", filing_status="in_force")
    factory.firm("锦州科技安防有限公司", filing_number="N-0101", filing_status="in_force")
    client.application.config["ROSTER_PAGE_SIZE"] = 3

    def names(url):
        response = client.get(url)
        assert response.status_code == 200, url
        page = parse(response)
        rows = [page_text(a) for a in page.select("table.roster tbody tr > td:first-child > a[href]")]
        following = page.select_one('a[rel="next"]')
        return rows, following["href"] if following else None

    def everything(query):
        found, url = [], f"/roster?name={query}"
        while url:
            rows, url = names(url)
            found += rows
        return found

    expected_common = [f"沈阳安防科技第{n}有限公司" for n in range(1, 8)]
    # As shipped (every piece rare here); every piece common, the rest of the roster inside the window;
    # every piece common and a window of 2 firms (a sparse match falls back to the plain filter).
    for common, window in ((name_index.COMMON, search.NAME_WINDOW), (2, search.NAME_WINDOW), (2, 2)):
        monkeypatch.setattr(name_index, "COMMON", common)
        monkeypatch.setattr(search, "NAME_WINDOW", window)
        assert everything("安防科技") == expected_common
        assert everything("沈阳安防科技第5") == ["沈阳安防科技第5有限公司"]
        assert everything("科技安防") == ["锦州科技安防有限公司"]
        assert everything("监控") == ["大连监控工程有限公司"]
        assert everything("不存在") == []


def test_an_import_large_enough_to_refresh_the_statistics_is_found_by_name_at_once(client, runner, tmp_path,
                                                                                     monkeypatch):
    """A large import analyses what it wrote after its commit (PostgreSQL; nothing to do on SQLite); the
    public search finds its firms as soon as the command reports success."""
    from app.transfer import roster_import as transfer
    from tests.app.transfer_support import roster_file, roster_row

    monkeypatch.setattr(transfer, "ANALYZE_AFTER", 3)
    path = roster_file(tmp_path / "名录.xlsx", [roster_row(n) for n in range(1, 6)])
    result = runner.invoke(args=["import", "filings", str(path)])
    assert result.exit_code == 0, result.output
    assert "新增 5" in result.output
    assert _found(client, "第4安防")[1] == ["沈阳第4安防科技有限公司"]
