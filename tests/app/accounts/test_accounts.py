"""Firm self-registration, clerk accounts from the command line, log-in, home page per role."""

from sqlalchemy import select

from app.models import Firm, User
from tests.support import PASSWORD, page_text, parse, post_form, switch_language


def _register(client, **overrides):
    data = {
        "firm_name": "沈阳安防科技有限公司",
        "credit_code": "91210100MA0T000019",
        "username": "sy_anfang",
        "password": "good-pass-2026",
        "confirm": "good-pass-2026",
    }
    data.update(overrides)
    return post_form(client, "/auth/register", data)


def _valid_code(factory):
    return factory.credit_code("210102")


def test_a_new_firm_signs_up_with_a_pending_account_holding_its_provisional_firm(client, db, factory):
    """Not yet in the register: the account holds a provisional firm and is pending until its first
    filing is approved (tests/app/accounts/test_firm_claims.py follows it through)."""
    code = _valid_code(factory)
    response = _register(client, credit_code=code.lower())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "sy_anfang"))
    assert user.role == "firm" and user.firm.credit_code == code
    assert user.firm_binding == "pending" and user.firm.provisional
    assert user.firm.is_local  # 21xxxx: registered in Liaoning
    assert user.password_hash.startswith("$argon2id$")


def test_out_of_province_firm_is_marked_from_its_code(client, db, factory):
    code = factory.credit_code("110105")  # Beijing
    _register(client, credit_code=code)
    firm = db.session.scalar(select(Firm).where(Firm.credit_code == code))
    assert firm.is_local is False


def test_bad_credit_code_is_refused_with_the_field_named(client):
    response = _register(client, credit_code="91210100MA0T000010")
    assert response.status_code == 200
    assert "统一社会信用代码：统一社会信用代码校验位不正确" in page_text(response)


def test_a_second_sign_up_with_the_same_code_is_answered_alike_but_gets_no_firm(client, db, factory):
    """Sign-up never says a credit code is taken (issue 9): the second account exists, bound to nothing."""
    code = _valid_code(factory)
    first = _register(client, credit_code=code)
    second = _register(client, credit_code=code, username="another")
    assert second.status_code == first.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    holder = db.session.scalar(select(User).where(User.username == "sy_anfang"))
    other = db.session.scalar(select(User).where(User.username == "another"))
    assert holder.firm.credit_code == code and other.firm_id is None


def test_weak_password_and_mismatch_are_named(client, factory):
    text = page_text(_register(client, credit_code=_valid_code(factory), password="short", confirm="other"))
    assert "密码：密码至少需要10个字符" in text
    assert "确认密码：两次输入的密码不一致" in text


def test_wrong_password_is_refused(client, factory):
    user = factory.user("city_clerk")
    response = post_form(client, "/auth/login", {"username": user.username, "password": "wrong-pass-1"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in page_text(response)


def test_inactive_account_cannot_log_in(client, db, factory):
    user = factory.user("city_clerk")
    user.active = False
    db.session.commit()
    response = post_form(client, "/auth/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200


def test_create_user_command_makes_a_clerk_bound_to_a_bureau(runner, db):
    result = runner.invoke(
        args=["create-user", "--username", "dl", "--role", "city_clerk", "--authority", "210200",
              "--password", "clerk-pass-2026"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "dl"))
    assert user.authority_code == "210200" and user.role == "city_clerk"


def test_create_user_refuses_an_unknown_bureau_and_a_weak_password(runner):
    result = runner.invoke(
        args=["create-user", "--username", "x", "--role", "city_clerk", "--authority", "999999",
              "--password", "clerk-pass-2026"]
    )
    assert result.exit_code == 2 and "--authority" in result.output
    result = runner.invoke(
        args=["create-user", "--username", "x", "--role", "admin", "--password", "weak"]
    )
    assert result.exit_code == 2 and "密码至少需要10个字符" in result.output


def test_home_page_differs_per_role(login_as, client, factory):
    assert "公共安全技术防范管理" in page_text(client.get("/"))
    firm_client, firm_user = login_as("firm")
    text = page_text(firm_client.get("/"))
    assert firm_user.firm.credit_code in text and "尚未备案" in text
    admin_client, _ = login_as("admin")
    assert "系统概况" in page_text(admin_client.get("/"))


def test_english_can_be_chosen(client):
    assert parse(client.get("/")).html["lang"] == "zh-CN"
    switch_language(client, {"lang": "en", "next": "/"})
    page = parse(client.get("/auth/login"))
    assert page.html["lang"] == "en"
    assert "Log in" in page_text(page)
