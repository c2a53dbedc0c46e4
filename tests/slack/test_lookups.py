"""`/lead`, `/leads` and the card's buttons, end to end over signed HTTP requests."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from bot.demo_data import STORY_LEAD_EMAIL
from bot.lead_lists import PAGE_SIZE
from bot.storage.tables import Lead, LeadScore
from tests.slack.harness import CHANNEL, REP, Slack, button_values, buttons, texts
from tests.slack_fake import Call, FakeSlack, new_ts


def ephemerals(fake: FakeSlack) -> list[Call]:
    return fake.calls_to("chat.postEphemeral", ok=True)


def stored_score(engine: Engine, lead_id: int) -> LeadScore:
    with Session(engine) as session:
        score = session.get(LeadScore, lead_id)
        assert score is not None
        return score


async def test_lead_card_by_email(
    slack: Slack, fake_slack: FakeSlack, engine: Engine, story_lead: Lead
) -> None:
    response = await slack.command("/lead", STORY_LEAD_EMAIL)
    assert (response.status_code, response.text) == (200, "")
    await slack.settle()

    [call] = ephemerals(fake_slack)
    assert (call.params["channel"], call.params["user"]) == (CHANNEL, REP)
    score = stored_score(engine, story_lead.id)  # type: ignore[arg-type]
    assert (score.total, score.grade, score.tier, score.qualified) == (47.6, "C2", "warm", False)
    assert call.params["text"] == f"{STORY_LEAD_EMAIL}: 47.6"
    head, why, answers, activity, footer, _ = (texts([b]) for b in call.params["blocks"])
    assert head.startswith("*Dana Whitfield · VP Operations · Northwind Analytics*")
    assert "\n*47.6*/100 · grade *C2* · 🌤️ *warm* · not qualified: missing " in head
    missing = head.partition("missing ")[2].split(", ")
    assert missing == [
        "Budget confirmed or planned",
        "Decision maker or champion engaged",
        "A real need",
        "Decision within 6 months",
    ]
    assert why.splitlines()[:2] == ["*Why*", "` +6.6` VP or head of (VP Operations)"]
    assert len(why.splitlines()) == 6  # the top five contributions
    assert answers == "*Answers*\nnone yet"
    assert activity.splitlines()[:2] == ["*Recent activity*", "• Visited the pricing page (today)"]
    assert footer == "Owner: <@U0REP0001>"
    assert buttons(call.params["blocks"]) == [
        ("qualify_now", "Qualify now"),
        ("claim", "Claim"),
        ("explain", "Explain in full"),
        ("share", "Share to channel"),
        ("edit_answers", "Edit answers"),
    ]
    assert set(button_values(call.params["blocks"], "claim")) == {str(story_lead.id)}


async def test_lead_card_by_domain_lists_the_other_matches(
    slack: Slack, fake_slack: FakeSlack
) -> None:
    await slack.command("/lead", "perez.com")  # three leads at Perez Properties
    await slack.settle()
    [call] = ephemerals(fake_slack)
    card = texts(call.params["blocks"])
    assert card.startswith("3 leads match; best first. Also: ")
    assert "Monique" in card.splitlines()[1]  # the best scored of the three


async def test_unknown_lead_gets_suggestions_and_no_text_gets_usage(
    slack: Slack, fake_slack: FakeSlack
) -> None:
    for query in ("northwnd", "jane@northwind-analytics.com", "zzzzqqq", "   "):
        await slack.command("/lead", query)
        await slack.settle()  # one at a time: the replies come in the order asked
    typo, colleague, nothing, empty = (texts(c.params["blocks"]) for c in ephemerals(fake_slack))
    assert typo.startswith("No lead matches *northwnd*. Did you mean: `Northwind Analytics`?")
    assert f"Did you mean: `{STORY_LEAD_EMAIL}`?" in colleague
    assert nothing.startswith("No lead matches *zzzzqqq*.") and "Did you mean" not in nothing
    for reply in (typo, nothing, empty):
        assert "Usage: `/lead <email | domain | company>`" in reply
    assert empty.startswith("Usage:")
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_slash_commands_are_acknowledged_before_the_work(
    slack: Slack, fake_slack: FakeSlack
) -> None:
    """The fake holds the card's chat.postEphemeral until the test has the HTTP response: an
    app that answered Slack only after its work would not get its response until too late."""
    await slack.command("/lead", "warm-up")  # Bolt's one-off auth.test, out of the timing
    await slack.settle()
    got_response = threading.Event()

    def held(call: Call) -> dict[str, Any]:
        got_response.wait(5)
        return {"message_ts": new_ts()}

    fake_slack.respond("chat.postEphemeral", held)
    started = time.monotonic()
    response = await slack.command("/lead", STORY_LEAD_EMAIL)
    elapsed = time.monotonic() - started
    got_response.set()
    assert (response.status_code, response.text) == (200, "")
    assert elapsed < 1.0, f"ack took {elapsed:.2f} s"
    await slack.settle()
    card = ephemerals(fake_slack)[-1]
    assert card.params["text"].startswith(STORY_LEAD_EMAIL)
    assert card.time > started + elapsed - 0.05  # the card was sent after the ack


def make_hot(engine: Engine, n: int) -> list[tuple[str, str | None, str | None]]:
    """Mark the n best scored leads hot (more than a page of them); their (name, company,
    owner), best first. Which leads score best depends on the day (decay, weekly caps)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Lead, LeadScore.lead_id)
            .join(LeadScore, col(LeadScore.lead_id) == col(Lead.id))
            .order_by(col(LeadScore.total).desc(), col(Lead.id))
            .limit(n)
        ).all()
        for _, lead_id in rows:
            session.execute(
                text("UPDATE lead_scores SET tier = 'hot' WHERE lead_id = :id"), {"id": lead_id}
            )
        session.commit()
        return [(lead.name or lead.email, lead.company, lead.owner) for lead, _ in rows]


async def test_leads_hot_pages_with_next_and_previous(
    slack: Slack, fake_slack: FakeSlack, engine: Engine
) -> None:
    best = make_hot(engine, PAGE_SIZE + 3)
    hot = [name for name, _, _ in best]
    await slack.command("/leads", "hot")
    await slack.settle()
    [call] = ephemerals(fake_slack)
    first = call.params["blocks"]
    assert texts(first).startswith(f"*Hot leads* (1–{PAGE_SIZE} of {PAGE_SIZE + 3})")
    rows = texts(first[1:2]).splitlines()
    assert len(rows) == PAGE_SIZE
    name, company, owner = best[0]
    assert company and owner  # the demo's best leads are claimed companies
    assert f"*{name}* · {company}" in rows[0] and rows[0].endswith(f" · <@{owner}>")
    assert buttons(first) == [("leads_page:next", "Next ›")]

    # Next › on the ephemeral list: the page is replaced through the response_url
    listed = {"ts": new_ts(), "channel": CHANNEL, "blocks": first}
    response = await slack.click(listed, "leads_page:next", response_url="page2")
    assert response.status_code == 200
    await slack.settle()
    [reply] = fake_slack.responses_to("page2")
    assert reply.body["replace_original"] is True
    second = reply.body["blocks"]
    assert texts(second).startswith(f"*Hot leads* ({PAGE_SIZE + 1}–{PAGE_SIZE + 3} of 13)")
    assert len(texts(second[1:2]).splitlines()) == 3
    assert buttons(second) == [("leads_page:prev", "‹ Previous")]
    shown = texts(first[1:2]).splitlines() + texts(second[1:2]).splitlines()
    assert [f"*{who}*" in row for who, row in zip(hot, shown, strict=True)] == [True] * 13

    # ‹ Previous brings page 1 back
    await slack.click({**listed, "blocks": second}, "leads_page:prev", response_url="page1")
    await slack.settle()
    [back] = fake_slack.responses_to("page1")
    assert back.body["blocks"] == first
    assert fake_slack.calls_to("chat.postEphemeral") == [call]  # paging posts nothing new


async def test_leads_with_a_bad_argument_gets_usage(slack: Slack, fake_slack: FakeSlack) -> None:
    for kind in ("bogus", "mine"):
        await slack.command("/leads", kind)
        await slack.settle()
    bogus, mine = (texts(c.params["blocks"]) for c in ephemerals(fake_slack))
    assert bogus == "Usage: `/leads [hot | warm | mine | stale | qualified]` (default: hot)"
    assert mine.startswith("*Your leads* (1–6 of 6)\n` 47.6` C2 🌤️ *Dana Whitfield*")
