"""The playground in a real browser: Chromium driving a real `ecsbot playground` process.

Every page here fails its test on a console error or a request that leaves 127.0.0.1 (see
the `page` fixture). The process and the browser live for the whole module, so messages from
earlier tests stay in the channels: each test looks at what it added.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect

from bot.cli import main
from bot.recommend import SIZING_LABELS
from tests.playground.pages import ask, message_box, messages, open_channel, say
from tests.playground.screenshot import answer_screenshot
from tests.playground.serving import RunningPlayground
from tests.waiting import BACKGROUND_SECONDS

pytestmark = pytest.mark.browser


def test_asking_in_the_dm_shows_the_answer(page: Page, artifacts: Path) -> None:
    """The page opens on the DM with its message box first and focused; a question gets the
    answer as Block Kit (header, sections, sources, buttons); a screenshot is saved."""
    expect(page.locator("#channel-title")).to_have_text("ecs-vs-ec2")
    expect(message_box(page)).to_have_id("message-box")
    expect(message_box(page)).to_be_focused()
    answer_screenshot(page, artifacts / "playground-answer.png")
    answer = messages(page).last
    expect(answer.locator(".msg-badge")).to_have_text("APP")
    expect(answer.locator(".bk-header")).not_to_be_empty()
    expect(answer).to_contain_text("Fargate")
    expect(answer.locator(".bk-context a.link").first).to_have_attribute("target", "_blank")
    expect(answer.get_by_role("button", name="Help me choose")).to_be_visible()
    assert (artifacts / "playground-answer.png").stat().st_size > 10_000


def test_typed_text_is_shown_as_text_never_as_markup(page: Page) -> None:
    """What a person types (here an <img> with an onerror handler) appears literally and runs
    nothing."""
    typed = '<img src=x onerror="window.pwned=1"> & *really* fast?'
    ask(page, typed)
    mine = messages(page).nth(-2)
    expect(mine.locator(".msg-text")).to_contain_text('<img src=x onerror="window.pwned=1"> &')
    expect(mine.locator(".msg-text b")).to_have_text("really")
    assert page.locator("#messages img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_a_related_question_button_answers_it(page: Page) -> None:
    """Clicking a related question sends block_actions; its answer arrives as a new message."""
    answer = ask(page, "how is fargate billed?")
    # The question buttons: every actions block but the answer's own (votes, Help me choose).
    related = answer.locator(".bk-actions:not([data-block-id^='answer_actions']) button")
    expect(related.last).not_to_be_empty()
    before = messages(page).count()
    related.last.click()
    expect(messages(page)).to_have_count(before + 1)
    expect(messages(page).last.locator(".bk-header")).not_to_be_empty()


def test_help_me_choose_by_buttons_ends_in_a_recommendation(page: Page) -> None:
    """ "Help me choose" posts the first question; answering by buttons updates that same
    message, step by step, until it shows the recommendation."""
    answer = ask(page, "how is fargate billed?")
    before = messages(page).count()
    answer.get_by_role("button", name="Help me choose").first.click()
    expect(messages(page)).to_have_count(before + 1)
    dialog = page.locator(f"article[data-key='{messages(page).last.get_attribute('data-key')}']")
    expect(dialog).to_contain_text("1 of")
    for _ in range(12):
        if "Recommendation" in " ".join(dialog.locator(".bk-header").all_inner_texts()):
            break
        shown = dialog.inner_text()
        dialog.locator(".bk-actions").first.get_by_role("button").first.click()
        expect(dialog).not_to_have_text(shown, use_inner_text=True)
    expect(dialog.locator(".bk-header").first).to_contain_text("Recommendation")
    assert messages(page).count() == before + 1  # one message, updated in place


def test_the_recommend_form_flags_a_bad_number_then_recommends(page: Page) -> None:
    """`/ecs-vs-ec2 recommend` in #general opens the form; text in a number field is refused
    as Slack's client refuses it, an out-of-range vCPU comes back from the bot as an error at
    its field, and a good one closes the form with a private recommendation."""
    open_channel(page, "# general")
    say(page, "/ecs-vs-ec2 recommend", replies=0)
    form = page.get_by_role("dialog")
    expect(form).to_be_visible()
    form.get_by_role("radio").first.check()
    vcpu = form.get_by_label(SIZING_LABELS["vcpu"])
    vcpu.fill("lots")
    form.locator("#modal-submit").click()
    expect(form.locator(".bk-has-error .bk-error")).to_have_text("Enter a number.")
    vcpu.fill("5000")
    form.locator("#modal-submit").click()
    expect(form.locator(".bk-has-error .bk-error")).to_contain_text("at most")
    expect(form.locator(".bk-has-error")).to_contain_text(SIZING_LABELS["vcpu"])
    expect(vcpu).to_be_focused()
    expect(form.get_by_role("radio").first).to_be_checked()  # what was entered stays
    vcpu.fill("2")
    form.locator("#modal-submit").click()
    expect(form).to_be_hidden()
    result = messages(page).last
    expect(result).to_contain_text("Only visible to you")
    expect(result.locator(".bk-header").first).to_contain_text("Recommendation")


def test_a_mention_in_general_is_answered_in_its_thread(page: Page) -> None:
    """In #general a message goes to the bot as an @mention and the answer arrives in a
    thread under it."""
    open_channel(page, "# general")
    ask(page, "what is fargate?")
    mine = page.locator("#messages > article.msg").last
    expect(mine.locator(".mention")).to_have_text("@ecs-vs-ec2")
    thread = page.locator("#messages > .thread").last
    expect(thread.locator("article.msg .bk-header")).not_to_be_empty()


def test_a_follow_up_in_a_thread_is_read_in_its_context(page: Page) -> None:
    """ "Reply in thread" sends the next message into that thread, as a mention there; the
    bot reads it with the thread's earlier question ("what about windows?" after GPUs)."""
    open_channel(page, "# general")
    ask(page, "does fargate support gpus?")
    thread = page.locator("#messages > .thread").last
    thread.get_by_role("button", name="Reply in thread").click()
    expect(page.locator("#replying")).to_be_visible()
    ask(page, "what about windows?")
    thread = page.locator("#messages > .thread").last
    expect(thread.locator("article.msg")).to_have_count(3)  # answer, my reply, its answer
    expect(thread.locator("article.msg .bk-header").last).to_contain_text("Windows")
    page.get_by_role("button", name="Back to the channel").click()
    expect(page.locator("#replying")).to_be_hidden()


def test_a_vote_and_the_questions_reach_ecsbot_report(
    page: Page, playground: RunningPlayground
) -> None:
    """A Helpful vote is thanked privately; it and the questions asked land in the local
    database, so `ecsbot report` shows them."""
    open_channel(page, "# general")  # a new thread: no earlier answer to read it against
    ask(page, "where is the coffee machine")
    open_channel(page, "● ecs-vs-ec2")
    answer = ask(page, "can ecs autoscale?")
    answer.get_by_role("button", name="Helpful", exact=False).first.click()
    expect(messages(page).last).to_contain_text("Thanks for the feedback")
    # Questions are written in batches (a fraction of a second behind the answer).
    deadline = time.monotonic() + BACKGROUND_SECONDS
    while True:
        report = CliRunner().invoke(
            main, ["report", "--json"], env={"DATABASE_URL": playground.database_url}
        )
        assert report.exit_code == 0, report.output
        data = json.loads(report.stdout)
        unsure = [group["example"] for group in data["unanswered"] + data["low_confidence"]]
        if "where is the coffee machine" in unsure or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert sum(row["helpful"] for row in data["feedback"]) >= 1
    assert {row["entry_point"] for row in data["volume"]} >= {"dm"}
    assert "where is the coffee machine" in unsure


def test_app_home_shows_and_its_buttons_answer_in_the_dm(page: Page) -> None:
    """The Home tab sends app_home_opened and shows the published view; an example question
    there is answered in the DM, which the page then shows."""
    before = messages(page).count()
    page.locator("#tab-home").click()
    home = page.locator("#home")
    expect(home.locator(".bk-header")).to_be_visible()
    expect(message_box(page)).to_be_hidden()
    home.locator(".bk-actions").first.get_by_role("button").first.click()
    expect(home).to_be_hidden()  # the answer arrived: the DM is shown
    expect(messages(page)).to_have_count(before + 1)
    expect(messages(page).last.locator(".bk-header")).not_to_be_empty()


SAMPLE_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "A header :thumbsup:"}},
    {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": (
                "*bold* _italic_ ~gone~ `a <b>code</b>` <https://example.com/docs|the docs> "
                "snake_case_word\n• one\n• *two*\n&gt; quoted &amp; fine\n"
                "<img src=x onerror=alert(1)> &lt;script&gt;alert(1)&lt;/script&gt;"
            ),
        },
        "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Go"}},
    },
    {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": "*Amazon ECS*\n• tasks"},
            {"type": "mrkdwn", "text": "*Amazon EC2*\n• instances"},
        ],
    },
    {"type": "divider"},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "reviewed <!here>"}]},
    {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Yes"}, "style": "primary"},
            {"type": "button", "text": {"type": "plain_text", "text": "Delete"}, "style": "danger"},
        ],
    },
    {"type": "image", "image_url": "https://example.com/x.png", "alt_text": "a diagram"},
    {"type": "video", "title": {"type": "plain_text", "text": "?"}},
]


def test_block_kit_renders_like_slack_and_never_as_markup(page: Page) -> None:
    """The renderer draws each block type as Slack does (mrkdwn bold, italic, strike, code,
    links, lists, quotes; fields; context; divider; primary and danger buttons), turns
    nothing into markup, and loads no image from elsewhere."""
    page.evaluate(
        """blocks => {
            const host = document.createElement("div");
            host.id = "sample";
            host.append(BlockKit.renderBlocks(blocks, () => {}));
            document.querySelector("#messages").prepend(host);
        }""",
        SAMPLE_BLOCKS,
    )
    sample = page.locator("#sample")
    expect(sample.locator(".bk-header")).to_have_text("A header 👍")
    expect(sample.locator("b").first).to_have_text("bold")
    expect(sample.locator("i")).to_have_text("italic")
    expect(sample.locator("s")).to_have_text("gone")
    expect(sample.locator("code")).to_have_text("a <b>code</b>")
    link = sample.locator("a.link")
    expect(link).to_have_text("the docs")
    expect(link).to_have_attribute("href", "https://example.com/docs")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(sample.locator(".bk-text")).to_contain_text("snake_case_word")
    expect(sample.locator(".bk-text ul li")).to_have_text(["one", "two"])
    expect(sample.locator(".bk-text blockquote")).to_have_text("quoted & fine")
    expect(sample.locator(".bk-text")).to_contain_text(
        "<img src=x onerror=alert(1)> <script>alert(1)</script>"
    )
    assert sample.locator("img, script").count() == 0
    expect(sample.locator(".bk-fields .bk-field")).to_have_count(2)
    expect(sample.locator(".bk-fields b")).to_have_text(["Amazon ECS", "Amazon EC2"])
    expect(sample.locator("hr.bk-divider")).to_have_count(1)
    expect(sample.locator(".bk-context .mention")).to_have_text("@here")
    expect(sample.locator(".bk-accessory button")).to_have_text("Go")
    expect(sample.locator("button.bk-primary")).to_have_text("Yes")
    expect(sample.locator("button.bk-danger")).to_have_text("Delete")
    expect(sample.locator(".bk-image")).to_have_text("[image: a diagram]")
    expect(sample.locator(".bk-unsupported")).to_have_text("[a video block]")


def _input(block_id: str, element: dict[str, object]) -> dict[str, object]:
    label = {"type": "plain_text", "text": f"The {block_id}"}
    return {"type": "input", "block_id": block_id, "label": label, "element": element}


OPTIONS = [
    {"text": {"type": "plain_text", "text": "Small"}, "value": "s"},
    {"text": {"type": "plain_text", "text": "Large"}, "value": "l"},
]
INPUT_BLOCKS = [
    _input("size", {"type": "static_select", "action_id": "a", "options": OPTIONS}),
    _input("kind", {"type": "radio_buttons", "action_id": "a", "options": OPTIONS}),
    _input("name", {"type": "plain_text_input", "action_id": "a"}),
    _input("note", {"type": "plain_text_input", "action_id": "a", "multiline": True}),
]


def test_form_inputs_render_show_errors_and_read_back(page: Page) -> None:
    """Selects, radio buttons and text inputs render with their labels; an error shows at its
    field; what the person enters reads back by block id, as the submission will carry it."""
    page.evaluate(
        """blocks => {
            const host = document.createElement("div");
            host.id = "form";
            host.append(BlockKit.renderBlocks(blocks, () => {}, {size: "Too big"}));
            document.querySelector("#messages").prepend(host);
        }""",
        INPUT_BLOCKS,
    )
    form = page.locator("#form")
    expect(form.locator(".bk-has-error")).to_have_attribute("data-block-id", "size")
    expect(form.locator(".bk-has-error .bk-error")).to_have_text("Too big")
    form.get_by_label("The size").select_option("l")
    form.get_by_label("Small").check()
    form.get_by_label("The name").fill("<b>web</b>")
    values = page.evaluate("BlockKit.readInputs(document.querySelector('#form'))")
    assert values == {"size": "l", "kind": "s", "name": "<b>web</b>", "note": None}
