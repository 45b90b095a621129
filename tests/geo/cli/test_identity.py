"""geo.cli.identity.principal(): who runs a CLI job, asked once per command."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from geo.cli.common import options
from geo.cli.identity import principal
from tests.accounts import add_user, audit_entries, create_token
from tests.conftest import _CLI_CLEAN_ENV

PW = "mat-khau-an-toan"


def _probe(asked: list[str]) -> click.Command:
    """A command that asks for its principal twice, counting password prompts."""

    def prompt(text: str) -> str:
        asked.append(text)
        return PW

    @click.command()
    @options
    def probe() -> None:
        first = principal(prompt=prompt)
        again = principal(prompt=prompt)
        assert again is first
        click.echo(f"{first.username}|{first.role}|{first.local}")

    return probe


def _run(url: str, env: dict, asked: list[str] | None = None,
         args: tuple[str, ...] = ()) -> click.testing.Result:
    asked = [] if asked is None else asked
    return CliRunner().invoke(_probe(asked), ["--db", url, *args],
                              env={**_CLI_CLEAN_ENV, **env})


def test_without_accounts_everyone_is_the_local_admin(empty_url: str) -> None:
    asked: list[str] = []
    res = _run(empty_url, {"DIABAN_USER": "ai_do"}, asked)
    assert res.exit_code == 0, res.output
    name, role, local = res.output.strip().split("|")
    assert (role, local) == ("admin", "True") and asked == []


@pytest.fixture()
def db(empty_url: str) -> str:
    add_user(empty_url, "quantri", PW, "admin")
    add_user(empty_url, "lanhdao", PW, "viewer", actor="quantri")
    return empty_url


def test_password_is_asked_once_per_command(db: str) -> None:
    asked: list[str] = []
    res = _run(db, {"DIABAN_USER": "lanhdao"}, asked)
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "lanhdao|viewer|False"
    assert asked == ["Mật khẩu của lanhdao: "]
    assert audit_entries(db, action="login").username.tolist() == ["lanhdao"]
    # --lang en asks in English; DIABAN_PASSWORD asks nothing.
    asked.clear()
    assert _run(db, {"DIABAN_USER": "lanhdao"}, asked, ("--lang", "en")).exit_code == 0
    assert asked == ["Password for lanhdao: "]
    asked.clear()
    assert _run(db, {"DIABAN_USER": "lanhdao", "DIABAN_PASSWORD": PW}, asked).exit_code == 0
    assert asked == []


def test_the_token_wins_over_a_user_name(db: str) -> None:
    tok = create_token(db, "quantri", actor="quantri")
    asked: list[str] = []
    res = _run(db, {"DIABAN_TOKEN": tok, "DIABAN_USER": "lanhdao"}, asked)
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "quantri|admin|False" and asked == []


def test_missing_or_wrong_credentials(db: str) -> None:
    res = _run(db, {})
    assert "--user" in str(res.exception) and "DIABAN_TOKEN" in str(res.exception)
    res = _run(db, {"DIABAN_USER": "lanhdao", "DIABAN_PASSWORD": "sai-mat-khau"})
    assert res.exception.vi == "Sai tên đăng nhập hoặc mật khẩu."
    assert res.exception.exit_code == 7
    # Not a terminal and no password: say how to give one instead of waiting.
    res = CliRunner().invoke(_probe_without_prompt(), ["--db", db],
                             env={**_CLI_CLEAN_ENV, "DIABAN_USER": "lanhdao"})
    assert "DIABAN_PASSWORD" in res.exception.vi and res.exception.exit_code == 7


def _probe_without_prompt() -> click.Command:
    @click.command()
    @options
    def probe() -> None:
        principal()

    return probe
