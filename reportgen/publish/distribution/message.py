"""What each Member State receives: the approved PDF in its language (or the English one), a
cover letter, and a Message-ID that is the same every time the message is attempted.

The PDFs are read once and checked against the approval's hashes, so the bytes attached are the
bytes that were checked, whatever happens to the files meanwhile. A message is composed just
before it is sent, not all 191 at once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.publish import approval as approvals
from reportgen.publish.distribution import DistributionError
from reportgen.publish.memberstates import MemberState
from reportgen.resources import TEMPLATES_DIR

if TYPE_CHECKING:  # typing only: the CLI must not pay for these imports at start-up
    from email.message import EmailMessage

    from reportgen.plan.loader import Mandate

LETTER_TEMPLATE = "mail/cover-letter.txt.j2"


@dataclass(frozen=True, slots=True)
class Attachment:
    path: str  # relative to outputs/<Y>/
    sha256: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Planned:
    """One Member State's message: where it goes and which approved file it carries."""

    member_state: MemberState
    attachment: Attachment
    fallback: bool  # True when the English PDF stands in for a language not approved
    message_id: str


def attachment_name(year: int, language: str) -> str:
    return f"report-{year}.pdf" if language == "en" else f"report-{year}-{language}.pdf"


def message_id(year: int, approval_id: str, state: MemberState, domain: str) -> str:
    """Deterministic, so a message of unknown fate can be looked up in the server's log. The
    Member State's stem is ASCII letters, digits and hyphens and never empty, whatever the script
    of its name, so the Message-ID is always a valid `<dot-atom@domain>`."""
    return f"<{year}.{approval_id}.{state.stem}@{domain}>"


def load_attachments(out_dir: Path, approval: approvals.Approval) -> dict[str, Attachment]:
    """The approved PDFs of `out_dir` (outputs/<Y>/), read and checked against the approval."""
    import hashlib

    found: dict[str, Attachment] = {}
    for approved in approval.files:
        if not approved.path.endswith(".pdf"):
            continue
        data = (out_dir / approved.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != approved.sha256:
            raise DistributionError(f"{out_dir / approved.path} changed since approval {approval.id}; "
                                    "nothing sent. Have the current version approved again")
        found[approved.path] = Attachment(approved.path, approved.sha256, data)
    return found


def plan_messages(year: int, approval: approvals.Approval, states: tuple[MemberState, ...],
                  attachments: dict[str, Attachment], domain: str) -> list[Planned]:
    """One message per Member State, with its own language's PDF or the English one."""
    english = attachments.get(attachment_name(year, "en"))
    if english is None:
        raise DistributionError(f"approval {approval.id} covers no {attachment_name(year, 'en')}; "
                                "build with the PDF and approve again")
    planned = []
    for state in states:
        own = attachments.get(attachment_name(year, state.language))
        planned.append(Planned(state, own or english, own is None, message_id(year, approval.id, state, domain)))
    return planned


def compose(item: Planned, year: int, approval: approvals.Approval, sender: str,
            plan_title: str, message_id_value: str, mandate: Mandate) -> EmailMessage:
    """The message for one Member State: cover letter (text, citing the plan's `mandate`) and the approved PDF."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime

    state = item.member_state
    letter = _environment().get_template(LETTER_TEMPLATE).render(
        state=state, year=year, approval=approval, plan_title=plan_title, mandate=mandate,
        attachment=item.attachment, fallback=item.fallback, language=state.language_name)
    message = EmailMessage()
    message["From"] = sender
    local, _, domain = state.email.rpartition("@")
    message["To"] = Address(display_name=state.name, username=local, domain=domain)
    message["Subject"] = f"ITU: progress report {year} on the {plan_title}"
    message["Date"] = format_datetime(approvals.now_utc())
    message["Message-ID"] = message_id_value
    message["Content-Language"] = "en"
    message["X-Reportgen-Approval"] = approval.id
    # Quoted-printable keeps the letter 7-bit: some relays still lack 8BITMIME.
    message.set_content(letter, charset="utf-8", cte="quoted-printable")
    message.add_attachment(item.attachment.data, maintype="application", subtype="pdf",
                           filename=Path(item.attachment.path).name)
    return message


def message_bytes(message: EmailMessage) -> bytes:
    from email import policy

    # CRLF line ends, as on the wire. Headers are not folded below RFC 5322's hard limit, so a
    # long Message-ID stays on one line where an operator can grep for it in logs and .eml files.
    return message.as_bytes(policy=policy.SMTP.clone(max_line_length=998))


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # Escaping would garble a plain-text letter (Côte d&#39;Ivoire); keep it for any HTML part.
        autoescape=lambda name: name is not None and ".html" in name,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
