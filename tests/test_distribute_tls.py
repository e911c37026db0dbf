"""Distribution over STARTTLS against a real aiosmtpd server with a real certificate (made with
openssl for 127.0.0.1 and signed by a throw-away authority): the login and the letters go
encrypted; a certificate the system does not trust, or one made out to another name, stops the
mailing before anything is sent or any credential leaves the machine."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from reportgen.publish.distribution.transport import PASSWORD_ENV, USER_ENV
from tests.test_distribute import (PASSWORD, SMALL, USER, Recorder, assert_exactly_once, env,  # noqa: F401
                                   ledger_rows, send, start)

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """ca.pem, an authority; server.pem/key for IP 127.0.0.1 and other.pem/key for another name."""
    folder = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=reportgen test authority", cwd=folder)
    for name, alt in (("server", "IP:127.0.0.1"), ("other", "DNS:mail.other.example")):
        (folder / f"{name}.ext").write_text(f"subjectAltName={alt}\n", encoding="ascii")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}", cwd=folder)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=folder)
    return {name: folder / name for name in ("ca.pem", "server.pem", "server.key", "other.pem", "other.key")}


class TlsRecorder(Recorder):
    """Also records whether each message came over an encrypted session."""

    def __init__(self) -> None:
        super().__init__()
        self.encrypted: list[bool] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.encrypted.append(session.ssl is not None)
        return await super().handle_DATA(server, session, envelope)


def tls_server(certificates: dict[str, Path], name: str = "server", **kwargs: Any) -> tuple[TlsRecorder, Any]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates[f"{name}.pem"], certificates[f"{name}.key"])
    handler = TlsRecorder()
    return handler, start(handler, tls_context=context, require_starttls=True, **kwargs)


@pytest.fixture
def logins() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def authenticator(logins: list[tuple[str, str]]) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (USER, PASSWORD)
        logins.append((data.login.decode(), data.password.decode()) if isinstance(data, LoginPassword) else ("", ""))
        return AuthResult(success=ok, handled=False)
    return check


@pytest.fixture
def trusted(certificates: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test authority is the system's only one, as an organisation's own CA would be added."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca.pem"]))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    yield


@pytest.mark.usefixtures("trusted")
def test_login_and_letters_go_encrypted_when_the_certificate_is_trusted(
        env: dict[str, Path], certificates: dict[str, Path], authenticator: Any, logins: list,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    handler, controller = tls_server(certificates, authenticator=authenticator, auth_required=True)
    try:
        assert send(env, f"127.0.0.1:{controller.port}") == 0
    finally:
        controller.stop()
    assert_exactly_once(handler, SMALL)
    assert handler.encrypted and all(handler.encrypted)
    assert logins and set(logins) == {(USER, PASSWORD)}  # the server refuses AUTH before STARTTLS
    assert {row["state"] for row in ledger_rows(env).values()} == {"sent"}


@pytest.mark.usefixtures("trusted")
def test_a_server_that_requires_starttls_gets_it_without_credentials(
        env: dict[str, Path], certificates: dict[str, Path]) -> None:  # noqa: F811
    handler, controller = tls_server(certificates)
    try:
        assert send(env, f"127.0.0.1:{controller.port}", "--only", "France") == 0
    finally:
        controller.stop()
    assert handler.encrypted == [True]


@pytest.mark.parametrize("case", ["authority not trusted", "certificate for another name"])
def test_a_certificate_that_fails_the_check_stops_the_mailing_before_anything_is_sent(
        env: dict[str, Path], certificates: dict[str, Path], authenticator: Any, logins: list,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str) -> None:
    monkeypatch.setenv(USER_ENV, USER)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    if case == "authority not trusted":
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates["other.pem"]))  # a file, but not our authority
        name = "server"
    else:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca.pem"]))
        name = "other"
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    handler, controller = tls_server(certificates, name, authenticator=authenticator, auth_required=True)
    try:
        code = send(env, f"127.0.0.1:{controller.port}")
    finally:
        controller.stop()
    err = capsys.readouterr().err
    assert code != 0
    assert "STARTTLS" in err and "CERTIFICATE_VERIFY_FAILED" in err and "nothing was sent" in err, err
    assert ("not valid for '127.0.0.1'" if case == "certificate for another name" else "issuer certificate") in err
    assert handler.messages == [] and logins == []  # no letter, and the password never left
    assert PASSWORD not in err
    assert not any(row["state"] == "sent" for row in ledger_rows(env).values())
